import GRULabTensor

extension Tensor {
    /// A tensor of values from `U(-1, 1)`, repeatable from `generator`.
    public static func random(_ shape: [Int], using generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.uniform(-1, 1) })
    }
}
