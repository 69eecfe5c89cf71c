/// How a weight matrix is filled before training.
///
/// Shapes are stated as stored: `[rows, cols]`, with PyTorch's convention that a layer weight is
/// `[out, in]` (so fan-in is `cols`, fan-out is `rows`).
///
/// ```
/// pytorch         U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias (nn.GRU, nn.LSTM, nn.RNN)
/// glorot-uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))    (Keras' kernel default)
/// orthogonal      gain * Q, Q from the QR decomposition of a standard normal matrix, with the
///                 signs of R's diagonal folded in (Keras' recurrent_kernel default; Saxe et al.
///                 2014), so that Q is uniformly distributed over orthogonal matrices
/// zeros           0                                            (Keras' bias default)
/// ```
public enum Initializer: Sendable, Equatable {
    case pytorch
    case glorotUniform
    case orthogonal(gain: Double = 1)
    case zeros

    /// The names accepted in experiment files and on the command line.
    public static let names = ["pytorch", "glorot-uniform", "orthogonal", "zeros"]

    /// The initializer called `name` (see ``names``), or `nil`.
    public init?(name: String) {
        switch name {
        case "pytorch": self = .pytorch
        case "glorot-uniform": self = .glorotUniform
        case "orthogonal": self = .orthogonal()
        case "zeros": self = .zeros
        default: return nil
        }
    }

    /// A new tensor of `shape` (a matrix `[rows, cols]` or a vector `[n]`) for a cell whose
    /// hidden size is `hiddenSize` (the scale of the PyTorch default).
    public func make<Scalar: TensorScalar>(
        shape: [Int], hiddenSize: Int, using generator: inout SeededGenerator
    ) -> Tensor<Scalar> {
        let count = shape.reduce(1, *)
        switch self {
        case .zeros:
            return Tensor(zeros: shape)
        case .pytorch:
            let bound = 1 / Scalar(hiddenSize).squareRoot()
            return Tensor(shape: shape, scalars: (0..<count).map { _ in generator.uniform(-bound, bound) })
        case .glorotUniform:
            let (fanOut, fanIn) = shape.count == 2 ? (shape[0], shape[1]) : (count, count)
            let limit = Scalar(6.0 / Double(fanIn + fanOut)).squareRoot()
            return Tensor(shape: shape, scalars: (0..<count).map { _ in generator.uniform(-limit, limit) })
        case .orthogonal(let gain):
            let (rows, cols) = shape.count == 2 ? (shape[0], shape[1]) : (1, count)
            let q = orthonormalColumns(rows: max(rows, cols), cols: min(rows, cols), using: &generator)
            let matrix = Tensor<Double>(shape: [max(rows, cols), min(rows, cols)], scalars: q)
            let oriented = rows >= cols ? matrix : matrix.transposed()
            return Tensor(shape: shape, scalars: oriented.scalars.map { Scalar(gain * $0) })
        }
    }
}

/// A `[rows, cols]` matrix (rows >= cols) with orthonormal columns: modified Gram–Schmidt on a
/// standard normal matrix, which equals Q of its QR decomposition with R's diagonal positive.
private func orthonormalColumns(rows: Int, cols: Int, using generator: inout SeededGenerator) -> [Double] {
    var a = (0..<rows * cols).map { _ in generator.normal() as Double }
    for j in 0..<cols {
        for k in 0..<j {
            var projection = 0.0
            for i in 0..<rows { projection += a[i * cols + j] * a[i * cols + k] }
            for i in 0..<rows { a[i * cols + j] -= projection * a[i * cols + k] }
        }
        var norm = 0.0
        for i in 0..<rows { norm += a[i * cols + j] * a[i * cols + j] }
        norm = norm.squareRoot()
        for i in 0..<rows { a[i * cols + j] /= norm }
    }
    return a
}
