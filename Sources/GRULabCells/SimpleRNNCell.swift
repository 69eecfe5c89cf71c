import GRULabTensor

/// The plain (Elman) recurrent cell in PyTorch's convention (`torch.nn.RNN`), the baseline of
/// vanishing-gradient studies.
///
/// ```
/// h' = φ(W_ih x + b_ih + W_hh h + b_hh)
/// ```
///
/// `φ` is tanh (`rnn-tanh`) or relu (`rnn-relu`). Parameters as PyTorch names them:
/// `weight_ih` `[H, C]`, `weight_hh` `[H, H]`, `bias_ih` `[H]`, `bias_hh` `[H]`.
///
/// ### References
/// Elman 1990; Bengio, Simard & Frasconi 1994 and Pascanu et al. 2013 on why its gradients vanish.
public struct SimpleRNNCell<Scalar: TensorScalar>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var hasCell: Bool { false }
    public var nonlinearity: Activation
    public var parameters: ParameterSet<Scalar>

    public init(inputSize: Int, hiddenSize: Int, nonlinearity: Activation = .tanh,
                initializer: CellInitializer = .init(), using generator: inout SeededGenerator) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.nonlinearity = nonlinearity
        parameters = initializer.parameters(
            PackedGateWeights(gates: 1, inputSize: inputSize, hiddenSize: hiddenSize).specs(),
            hiddenSize: hiddenSize, using: &generator)
    }

    public struct Workspace {
        let steps: Int, batch: Int
        /// `[T, N, H]`: `W_ih x + b_ih + b_hh`, then the gradient of the pre-activation.
        let projection: Buffer<Scalar>
        /// `[T, N, H]`: the step's output `φ(·)` (slot t+1 may be rewritten by a modifier).
        let activation: Buffer<Scalar>
    }

    private var weights: PackedGateWeights { PackedGateWeights(gates: 1, inputSize: inputSize, hiddenSize: hiddenSize) }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        Workspace(steps: steps, batch: batch, projection: Buffer(count: steps * batch * hiddenSize, zeroed: false),
                  activation: Buffer(count: steps * batch * hiddenSize, zeroed: false))
    }

    public func prepare(input: UnsafePointer<Scalar>, workspace: Workspace) {
        weights.project(parameters, input: input, rows: workspace.steps * workspace.batch,
                        into: workspace.projection.pointer, foldRecurrentBias: true)
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        let count = workspace.batch * hiddenSize
        let hNext = states.h(t + 1)
        hNext.update(from: workspace.projection[t * count], count: count)
        weights.recurrent(parameters, h: states.h(t), rows: workspace.batch, into: hNext,
                          addingBias: false, accumulate: true)
        nonlinearity.apply(hNext, count: count)
        workspace.activation[t * count].update(from: hNext, count: count)
    }

    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        let count = workspace.batch * hiddenSize
        let dh = gradient.h(0), y = workspace.activation[t * count], da = workspace.projection[t * count]
        let phi = nonlinearity
        for i in 0..<count { da[i] = dh[i] * phi.derivative(output: y[i]) }
        weights.recurrentBackward(parameters, dy: da, rows: workspace.batch, dh: dh, accumulate: false)
    }

    public func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                               workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                               parameterGradients: inout ParameterSet<Scalar>) {
        let gradient = workspace.projection.pointer
        weights.finishBackward(
            parameters, rows: workspace.steps * workspace.batch, input: input, hPrev: states.h(0),
            inputProjectionGradient: gradient, recurrentProjectionGradient: gradient,
            inputGradient: inputGradient, parameterGradients: &parameterGradients)
    }
}
