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

    public init(gateActivation: Activation = .sigmoid, candidateActivation: Activation = .tanh,
                initializer: CellInitializer = .init()) {
        self.gateActivation = gateActivation
        self.candidateActivation = candidateActivation
        self.initializer = initializer
    }
}
