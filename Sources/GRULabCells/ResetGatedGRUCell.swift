import GRULabTensor

/// The GRUs that apply the reset gate to the state before the recurrent product (Cho et al.
/// 2014), over the ``ResetGatedConvention`` that names their parameters: ``D2LGRUCell`` and
/// ``CellStateGRUCell``. The computation is ``ResetGatedCore``'s:
///
/// ```
/// r  = σ(x Wx_r + h Wh_r + b_r)
/// z  = σ(x Wx_z + h Wh_z + b_z)
/// s~ = φ(x Wx_s + (r ⊙ h) Wh_s + b_s)
/// s' = z ⊙ s + (1 - z) ⊙ s~,   s = h, or a memory cell c with h' = φ(c')
/// ```
public struct ResetGatedGRUCell<Scalar: TensorScalar, Convention: ResetGatedConvention>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var hasCell: Bool { Convention.blendsCell }
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
        parameters = initializer.parameters(Convention.parameterSpecs(inputSize: inputSize, hiddenSize: hiddenSize),
                                            hiddenSize: hiddenSize, using: &generator)
    }

    private var core: ResetGatedCore {
        ResetGatedCore(
            inputSize: inputSize, hiddenSize: hiddenSize,
            gates: Convention.gateLayout(hiddenSize: hiddenSize).map {
                .init(inputWeight: $0.inputWeight, inputRowOffset: $0.inputRowOffset,
                      recurrentWeight: $0.recurrentWeight, bias: $0.bias)
            },
            blendsCell: Convention.blendsCell, gateActivation: gateActivation, candidateActivation: candidateActivation)
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
