import GRULabTensor

/// What the update gate of a ``ResetGatedGRUCell`` blends: the hidden state itself, or a
/// memory cell `c` whose image `φ(c)` is the output.
public protocol ResetGatedBlend: Sendable {
    static var blendsCell: Bool { get }
}

/// `s = h`: ``D2LGRUCell``, ``ConvGRUCell``.
public enum BlendsHiddenState: ResetGatedBlend {
    public static var blendsCell: Bool { false }
}

/// `s = c`, `h = φ(c)`: ``CellStateGRUCell``.
public enum BlendsCellState: ResetGatedBlend {
    public static var blendsCell: Bool { true }
}

/// The GRUs that apply the reset gate to the state before the recurrent product (Cho et al.
/// 2014), over the ``GateWeights`` that hold their parameters and the ``ResetGatedBlend`` of
/// their update gate: ``D2LGRUCell``, ``CellStateGRUCell`` and ``ConvGRUCell``. The
/// computation is ``ResetGatedCore``'s:
///
/// ```
/// r  = σ(Wx_r x + Wh_r h + b_r)
/// z  = σ(Wx_z x + Wh_z h + b_z)
/// s~ = φ(Wx_s x + Wh_s (r ⊙ h) + b_s)
/// s' = z ⊙ s + (1 - z) ⊙ s~,   s = h, or a memory cell c with h' = φ(c')
/// ```
public struct ResetGatedGRUCell<Weights: GateWeights, Blend: ResetGatedBlend>: RecurrentCell {
    public typealias Scalar = Weights.Scalar
    public let weights: Weights
    public var inputSize: Int { weights.inputSize }
    public var hiddenSize: Int { weights.hiddenSize }
    public var channelSize: Int { weights.channelSize }
    public var hasCell: Bool { Blend.blendsCell }
    public var gateActivation: Activation
    public var candidateActivation: Activation
    public var parameters: ParameterSet<Scalar>

    public init(inputSize: Int, hiddenSize: Int, gateActivation: Activation = .sigmoid,
                candidateActivation: Activation = .tanh, initializer: CellInitializer = .init(),
                featureMap: FeatureMap? = nil, using generator: inout SeededGenerator) {
        weights = Weights(gates: 3, inputSize: inputSize, hiddenSize: hiddenSize,
                          options: CellOptions(featureMap: featureMap))
        self.gateActivation = gateActivation
        self.candidateActivation = candidateActivation
        parameters = weights.initialParameters(initializer, using: &generator)
    }

    private var core: ResetGatedCore<Weights> {
        ResetGatedCore(weights: weights, blendsCell: Blend.blendsCell, gateActivation: gateActivation,
                       candidateActivation: candidateActivation)
    }

    public struct Workspace {
        let buffers: ResetGatedCore<Weights>.Workspace
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
