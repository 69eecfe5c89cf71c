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
public typealias SimpleRNNCell<Scalar: TensorScalar> = SimpleRNN<PackedGateWeights<Scalar>>

/// The equations of ``SimpleRNNCell`` over any ``GateWeights``: with
/// ``ConvolutionalGateWeights`` the convolutional tanh RNN, the baseline of a convolutional
/// vanishing-gradient study.
public struct SimpleRNN<Weights: GateWeights>: RecurrentCell {
    public typealias Scalar = Weights.Scalar
    public let weights: Weights
    public var inputSize: Int { weights.inputSize }
    public var hiddenSize: Int { weights.hiddenSize }
    public var channelSize: Int { weights.channelSize }
    public var hasCell: Bool { false }
    public var nonlinearity: Activation
    public var parameters: ParameterSet<Scalar>

    public init(inputSize: Int, hiddenSize: Int, nonlinearity: Activation = .tanh,
                initializer: CellInitializer = .init(), featureMap: FeatureMap? = nil,
                using generator: inout SeededGenerator) {
        weights = Weights(gates: 1, inputSize: inputSize, hiddenSize: hiddenSize,
                          options: CellOptions(featureMap: featureMap))
        self.nonlinearity = nonlinearity
        parameters = weights.initialParameters(initializer, using: &generator)
    }

    public struct Workspace {
        let steps: Int, batch: Int
        /// `[T, N, H]`: `W_ih x + b_ih + b_hh`, then the gradient of the pre-activation.
        let projection: Buffer<Scalar>
        /// `[T, N, H]`: the step's output `φ(·)` (slot t+1 may be rewritten by a modifier).
        let activation: Buffer<Scalar>
        let products: Weights.Scratch
    }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        Workspace(steps: steps, batch: batch, projection: Buffer(count: steps * batch * hiddenSize, zeroed: false),
                  activation: Buffer(count: steps * batch * hiddenSize, zeroed: false),
                  products: weights.makeScratch(batch: batch))
    }

    public func prepare(input: UnsafePointer<Scalar>, workspace: Workspace) {
        weights.project(parameters, input: input, rows: workspace.steps * workspace.batch,
                        into: workspace.projection.pointer, foldRecurrentBias: true,
                        scratch: workspace.products)
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        let count = workspace.batch * hiddenSize
        let hNext = states.h(t + 1)
        hNext.update(from: workspace.projection[t * count], count: count)
        weights.recurrent(parameters, h: states.h(t), rows: workspace.batch, into: hNext,
                          addingBias: false, accumulate: true, scratch: workspace.products)
        nonlinearity.apply(hNext, count: count)
        workspace.activation[t * count].update(from: hNext, count: count)
    }

    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        let count = workspace.batch * hiddenSize
        let dh = gradient.h(0), y = workspace.activation[t * count], da = workspace.projection[t * count]
        let phi = nonlinearity
        for i in 0..<count { da[i] = dh[i] * phi.derivative(output: y[i]) }
        weights.recurrentBackward(parameters, dy: da, rows: workspace.batch, dh: dh, accumulate: false,
                                  scratch: workspace.products)
    }

    public func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                               workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                               parameterGradients: inout ParameterSet<Scalar>) {
        let gradient = workspace.projection.pointer
        weights.finishBackward(
            parameters, rows: workspace.steps * workspace.batch, input: input, hPrev: states.h(0),
            inputProjectionGradient: gradient, recurrentProjectionGradient: gradient,
            inputGradient: inputGradient, parameterGradients: &parameterGradients, scratch: workspace.products)
    }
}
