import GRULabTensor

/// Which ``Initializer`` fills a cell's input weights, recurrent weights and biases.
///
/// The default is PyTorch's: every parameter from `U(-1/sqrt(H), 1/sqrt(H))`. ``keras`` is
/// Keras' GRU and LSTM default: glorot-uniform input kernels, orthogonal recurrent kernels,
/// zero biases, and a forget-gate bias of 1.
public struct CellInitializer: Sendable, Equatable {
    /// What a parameter is, for choosing its initializer.
    public enum Role: Sendable { case input, recurrent, bias }

    public var input: Initializer
    public var recurrent: Initializer
    public var bias: Initializer
    /// The forget-gate bias of a cell that has one (`lstm`): its `bias_ih` block is set to this
    /// value and its `bias_hh` block to 0; `nil` keeps what `bias` drew.
    public var forgetBias: Double?

    public init(input: Initializer = .pytorch, recurrent: Initializer = .pytorch, bias: Initializer = .pytorch,
                forgetBias: Double? = nil) {
        self.input = input
        self.recurrent = recurrent
        self.bias = bias
        self.forgetBias = forgetBias
    }

    /// Keras' defaults, with `unit_forget_bias`.
    public static let keras = CellInitializer(input: .glorotUniform, recurrent: .orthogonal(), bias: .zeros, forgetBias: 1)

    /// Parameters named and shaped as `specs`, each drawn by the initializer of its role, in order.
    public func parameters<Scalar: TensorScalar>(
        _ specs: [(name: String, shape: [Int], role: Role)], hiddenSize: Int,
        using generator: inout SeededGenerator
    ) -> ParameterSet<Scalar> {
        ParameterSet(specs.map { spec in
            let initializer = switch spec.role {
            case .input: input
            case .recurrent: recurrent
            case .bias: bias
            }
            return (spec.name, initializer.make(shape: spec.shape, hiddenSize: hiddenSize, using: &generator))
        })
    }
}
