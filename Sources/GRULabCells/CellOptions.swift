import GRULabTensor

/// The hyper-parameters every built-in cell takes.
///
/// The activations make "why sigmoid gates and a tanh candidate?" one switch: gates may be
/// `sigmoid` or `hard-sigmoid`, the candidate `tanh` or `relu` (for `rnn-*` the candidate
/// activation is fixed by the cell's name; `mingru` has no candidate activation).
public struct CellOptions: Sendable, Equatable {
    public var gateActivation: Activation
    public var candidateActivation: Activation
    public var initializer: CellInitializer
    /// Whether a cell whose recurrence allows it (`mingru`) computes all steps at once, on
    /// several threads (``MinGRUCell/Recurrence/parallelScan``).
    public var parallelScan: Bool
    /// The feature maps of a convolutional cell (`convgru`, `convlstm`, `convrnn-tanh`): their
    /// size and the kernel's. `nil` for vector cells, which must not be given one.
    public var featureMap: FeatureMap?

    public init(gateActivation: Activation = .sigmoid, candidateActivation: Activation = .tanh,
                initializer: CellInitializer = .init(), parallelScan: Bool = true, featureMap: FeatureMap? = nil) {
        self.gateActivation = gateActivation
        self.candidateActivation = candidateActivation
        self.initializer = initializer
        self.parallelScan = parallelScan
        self.featureMap = featureMap
    }
}
