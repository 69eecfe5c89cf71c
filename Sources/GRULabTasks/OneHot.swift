import GRULabTensor

/// Time-major one-hot inputs `[T, N, classes]` from tokens `[T, N]`.
func oneHot(_ tokens: [Int], steps: Int, batch: Int, classes: Int) -> Tensor<Double> {
    var x = [Double](repeating: 0, count: steps * batch * classes)
    for (i, token) in tokens.enumerated() { x[i * classes + token] = 1 }
    return Tensor(shape: [steps, batch, classes], scalars: x)
}

extension SeededGenerator {
    /// A uniform integer in `0..<count`: Lemire's multiply-and-reject, written here rather
    /// than taken from the standard library so the stream cannot change with the toolchain.
    mutating func integer(below count: Int) -> Int {
        let bound = UInt64(count)
        let threshold = (0 &- bound) % bound
        while true {
            let (high, low) = next().multipliedFullWidth(by: bound)
            if low >= threshold { return Int(high) }
        }
    }
}
