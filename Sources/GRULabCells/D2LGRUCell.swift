import GRULabTensor

/// The GRU of Cho et al. 2014 as d2l.ai writes it: the reset gate applies to the state before
/// the recurrent product.
///
/// ```
/// R  = σ(X W_xr + H W_hr + b_r)
/// Z  = σ(X W_xz + H W_hz + b_z)
/// H~ = φ(X W_xh + (R ⊙ H) W_hh + b_h)
/// H' = Z ⊙ H + (1 - Z) ⊙ H~
/// ```
///
/// Parameters, stored `[in, out]` as d2l.ai does, in this order: `W_xr` `[C, H]`, `W_hr`
/// `[H, H]`, `b_r` `[H]`, `W_xz` `[C, H]`, `W_hz` `[H, H]`, `b_z` `[H]`, `W_xh` `[C, H]`,
/// `W_hh` `[H, H]`, `b_h` `[H]`.
///
/// ### References
/// Cho et al. 2014, "Learning Phrase Representations using RNN Encoder–Decoder for Statistical
/// Machine Translation"; Zhang et al., "Dive into Deep Learning", section 10.2.
public struct D2LGRUCell<Scalar: TensorScalar>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var hasCell: Bool { false }
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
            ["r", "z", "h"].flatMap { gate in
                [("W_x\(gate)", [c, h], .input), ("W_h\(gate)", [h, h], .recurrent), ("b_\(gate)", [h], .bias)]
            }, hiddenSize: h, using: &generator)
    }

    private var core: ResetGatedCore {
        ResetGatedCore(
            inputSize: inputSize, hiddenSize: hiddenSize,
            gates: (0..<3).map { .init(inputWeight: 3 * $0, inputRowOffset: 0, recurrentWeight: 3 * $0 + 1, bias: 3 * $0 + 2) },
            blendsCell: false, gateActivation: gateActivation, candidateActivation: candidateActivation)
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
