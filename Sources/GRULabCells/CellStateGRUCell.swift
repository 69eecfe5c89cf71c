import GRULabTensor

/// A GRU with a separate memory cell: the update gate blends a cell `c`, and the output is
/// `h = φ(c)`. It is the GRU written with the cell state of an LSTM, which tutorials on GRU
/// variants compare against both.
///
/// ```
/// r  = σ([h, x] W_r)
/// z  = σ([h, x] W_z)
/// c~ = φ([r ⊙ h, x] W)
/// c' = z ⊙ c + (1 - z) ⊙ c~
/// h' = φ(c')
/// ```
///
/// The state is `(h, c)`; `c` starts at zero unless given. No biases. Parameters, stored
/// `[in, out]` with the rows of the concatenation `[h, x]` (h's rows first): `W_r` `[H + C, H]`,
/// `W_z` `[H + C, H]`, `W` `[H + C, H]`.
public struct CellStateGRUCell<Scalar: TensorScalar>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var hasCell: Bool { true }
    public var gateActivation: Activation
    public var candidateActivation: Activation
    public var parameters: ParameterSet<Scalar>

    public init(inputSize: Int, hiddenSize: Int, gateActivation: Activation = .sigmoid,
                candidateActivation: Activation = .tanh,
                initializer: CellInitializer = .init(), using generator: inout SeededGenerator) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.gateActivation = gateActivation
        self.candidateActivation = candidateActivation
        let (c, h) = (inputSize, hiddenSize)
        parameters = initializer.parameters(
            ["W_r", "W_z", "W"].map { ($0, [h + c, h], .recurrent) }, hiddenSize: h, using: &generator)
    }

    private var core: ResetGatedCore {
        ResetGatedCore(
            inputSize: inputSize, hiddenSize: hiddenSize,
            gates: (0..<3).map { .init(inputWeight: $0, inputRowOffset: hiddenSize, recurrentWeight: $0, bias: nil) },
            blendsCell: true, gateActivation: gateActivation, candidateActivation: candidateActivation)
    }

    public struct Workspace {
        let buffers: ResetGatedCore.Workspace<Scalar>
    }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        Workspace(buffers: core.makeWorkspace(steps: steps, batch: batch))
    }

    public func prepare(input: UnsafePointer<Scalar>, workspace: Workspace) {
        core.prepare(parameters, input: input, workspace: workspace.buffers)
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        core.step(parameters, t, states: states, workspace: workspace.buffers)
    }

    /// The recurrent products read `h ⊙ m`; the blend carries the state itself.
    public var appliesRecurrentMask: Bool { true }

    public func carryGate(in workspace: Workspace) -> GateView<Scalar>? {
        let buffers = workspace.buffers
        return GateView(base: buffers.gates.pointer + hiddenSize, rows: buffers.steps * buffers.batch,
                        rowStride: 3 * hiddenSize, width: hiddenSize)
    }

    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        core.stepBackward(parameters, t, states: states, gradient: gradient, workspace: workspace.buffers)
    }

    public func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                               workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                               parameterGradients: inout ParameterSet<Scalar>) {
        core.finishBackward(parameters, input: input, states: states, workspace: workspace.buffers,
                            inputGradient: inputGradient, parameterGradients: &parameterGradients)
    }
}
