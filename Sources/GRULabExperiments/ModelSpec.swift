import GRULabCells

/// The model of a run: optional input projection, the stacked (bidirectional) layers of one
/// registered cell with its modifiers, and a head.
public struct ModelSpec: Sendable, Hashable {
    public enum GateActivation: String, Sendable, Hashable { case sigmoid, hardSigmoid = "hard-sigmoid" }
    public enum CandidateActivation: String, Sendable, Hashable { case tanh, relu }
    public enum Initialization: String, Sendable, Hashable { case pytorch, keras }
    /// Where the head reads the output: the last step only, or every step.
    public enum Head: String, Sendable, Hashable { case last, every }

    /// Gal & Ghahramani's dropout: one mask per sequence on the inputs and on the state.
    public struct VariationalDropout: Sendable, Hashable {
        public var input: Double
        public var recurrent: Double
    }

    /// A name in the cell registry.
    public var cell: String
    /// `H`; for a convolutional cell the channels of its state.
    public var hiddenSize: Int
    /// The side of a convolutional cell's square kernels (odd); vector cells ignore it.
    public var kernelSize: Int
    public var numLayers: Int
    public var bidirectional: Bool
    /// Dropout between stacked layers, as `nn.GRU`'s `dropout`.
    public var dropout: Double
    public var gateActivation: GateActivation
    public var candidateActivation: CandidateActivation
    public var initialization: Initialization
    /// Zoneout probability on every layer (Krueger et al. 2016); 0 is off.
    public var zoneout: Double
    public var variationalDropout: VariationalDropout
    /// The variance α of multiplicative Gaussian noise `N(1, α)` on the state, in training.
    public var gaussianNoise: Double
    /// Whether α is learned per unit, starting from ``gaussianNoise``, with ``klWeight`` · KL.
    public var gaussianNoiseLearned: Bool
    public var klWeight: Double
    /// Width of a linear projection of the inputs before the first layer; `nil` is none.
    public var inputProjection: Int?
    public var head: Head
    /// The initial bias of an LSTM's forget gate (Gers et al. 2000; Jozefowicz et al. 2015);
    /// `nil` keeps the initializer's (Keras' sets 1). Cells without a forget gate ignore it.
    public var forgetBias: Double?

    /// The registry's options for the cell.
    public var cellOptions: CellOptions {
        CellOptions(gateActivation: gateActivation == .sigmoid ? .sigmoid : .hardSigmoid,
                    candidateActivation: candidateActivation == .tanh ? .tanh : .relu,
                    initializer: {
                        var initializer: CellInitializer = initialization == .pytorch ? .init() : .keras
                        if let forgetBias { initializer.forgetBias = forgetBias }
                        return initializer
                    }())
    }
}
