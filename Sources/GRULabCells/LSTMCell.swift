import GRULabTensor

/// The long short-term memory cell in PyTorch's convention (`torch.nn.LSTM`).
///
/// ```
/// i  = σ(W_ii x + b_ii + W_hi h + b_hi)
/// f  = σ(W_if x + b_if + W_hf h + b_hf)
/// g  = φ(W_ig x + b_ig + W_hg h + b_hg)
/// o  = σ(W_io x + b_io + W_ho h + b_ho)
/// c' = f ⊙ c + i ⊙ g
/// h' = o ⊙ φ(c')
/// ```
///
/// `σ` is the gate activation (sigmoid by default), `φ` the candidate activation (tanh by
/// default), used for `g` and for the output of the cell as Keras' `activation` is.
///
/// Parameters, gate order i, f, g, o along the first axis, as PyTorch names them:
/// `weight_ih` `[4H, C]`, `weight_hh` `[4H, H]`, `bias_ih` `[4H]`, `bias_hh` `[4H]`.
///
/// ### References
/// Hochreiter & Schmidhuber 1997; Gers et al. 2000 (the forget gate).
public typealias LSTMCell<Scalar: TensorScalar> = LSTM<PackedGateWeights<Scalar>>

/// The equations of ``LSTMCell`` over any ``GateWeights``: with ``ConvolutionalGateWeights``
/// the convolutional LSTM of Shi et al. 2015 (without peepholes).
public struct LSTM<Weights: GateWeights>: RecurrentCell {
    public typealias Scalar = Weights.Scalar
    public let weights: Weights
    public var inputSize: Int { weights.inputSize }
    public var hiddenSize: Int { weights.hiddenSize }
    public var channelSize: Int { weights.channelSize }
    public var hasCell: Bool { true }
    public var gateActivation: Activation
    public var candidateActivation: Activation
    public var parameters: ParameterSet<Scalar>

    public init(inputSize: Int, hiddenSize: Int, gateActivation: Activation = .sigmoid,
                candidateActivation: Activation = .tanh, initializer: CellInitializer = .init(),
                featureMap: FeatureMap? = nil, using generator: inout SeededGenerator) {
        weights = Weights(gates: 4, inputSize: inputSize, hiddenSize: hiddenSize,
                          options: CellOptions(featureMap: featureMap))
        self.gateActivation = gateActivation
        self.candidateActivation = candidateActivation
        parameters = weights.initialParameters(initializer, using: &generator)
        if let forgetBias = initializer.forgetBias {
            let h = weights.biasWidth
            for (name, value) in [("bias_ih", forgetBias), ("bias_hh", 0)] {
                var bias = parameters[name]!
                bias.withUnsafeMutableBufferPointer { $0[h..<2 * h].update(repeating: Scalar(value)) }
                parameters[name] = bias
            }
        }
    }

    public struct Workspace {
        let steps: Int, batch: Int
        /// `[T, N, 4H]`: `W_i x + b` from `prepare`, to which each step adds `W_h h` and
        /// applies the activations in place: i, f, g, o.
        let gates: Buffer<Scalar>
        /// `[T, N, 4H]`: the gradient of the pre-activations, in backward.
        let gradient: Buffer<Scalar>
        /// `[T, N, H]`: φ(c').
        let cellOutput: Buffer<Scalar>
        let products: Weights.Scratch
    }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        let rows = steps * batch
        return Workspace(steps: steps, batch: batch, gates: Buffer(count: rows * 4 * hiddenSize, zeroed: false),
                         gradient: Buffer(count: rows * 4 * hiddenSize, zeroed: false), cellOutput: Buffer(count: rows * hiddenSize, zeroed: false),
                         products: weights.makeScratch(batch: batch))
    }

    public func prepare(input: UnsafePointer<Scalar>, workspace: Workspace) {
        weights.project(parameters, input: input, rows: workspace.steps * workspace.batch,
                        into: workspace.gates.pointer, foldRecurrentBias: true,
                        scratch: workspace.products)
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize, g = 4 * h
        let a = workspace.gates[t * n * g]
        weights.recurrent(parameters, h: states.h(t), rows: n, into: a, addingBias: false, accumulate: true,
                          scratch: workspace.products)
        let cPrev = states.c(t), cNext = states.c(t + 1), hNext = states.h(t + 1)
        let cellOutput = workspace.cellOutput[t * n * h]
        // Activations over contiguous blocks (i and f together), then the elementwise update:
        // loops without calls, which the compiler vectorises.
        for b in 0..<n {
            let gate = a + b * g, c = cNext + b * h, tc = cellOutput + b * h, cp = cPrev + b * h
            gateActivation.apply(gate, count: 2 * h)
            candidateActivation.apply(gate + 2 * h, count: h)
            gateActivation.apply(gate + 3 * h, count: h)
            let (i, f, cand, o, next) = (gate, gate + h, gate + 2 * h, gate + 3 * h, hNext + b * h)
            for j in 0..<h {
                c[j] = f[j] * cp[j] + i[j] * cand[j]
                tc[j] = c[j]
            }
            candidateActivation.apply(tc, count: h)
            for j in 0..<h { next[j] = o[j] * tc[j] }
        }
    }

    public func carryGate(in workspace: Workspace) -> GateView<Scalar>? {
        GateView(base: workspace.gates.pointer + hiddenSize, rows: workspace.steps * workspace.batch,
                 rowStride: 4 * hiddenSize, width: hiddenSize)
    }

    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize, g = 4 * h
        let dh = gradient.h(0), dc = gradient.c(0), cPrev = states.c(t)
        let gates = workspace.gates[t * n * g], cellOutput = workspace.cellOutput[t * n * h]
        let da = workspace.gradient[t * n * g]
        gateActivation.withDerivative { (sigma: (Scalar) -> Scalar) in
            candidateActivation.withDerivative { (phi: (Scalar) -> Scalar) in
                // Blocks addressed outside the inner loop, which indexes by j alone and vectorises.
                for b in 0..<n {
                    let gate = gates + b * g, dGate = da + b * g
                    let (i, f, cand, o) = (gate, gate + h, gate + 2 * h, gate + 3 * h)
                    let (di, df, dCand, dOut) = (dGate, dGate + h, dGate + 2 * h, dGate + 3 * h)
                    let tc = cellOutput + b * h, dhRow = dh + b * h, dcRow = dc + b * h, cp = cPrev + b * h
                    for j in 0..<h {
                        let dcTotal = dcRow[j] + dhRow[j] * o[j] * phi(tc[j])
                        di[j] = dcTotal * cand[j] * sigma(i[j])
                        df[j] = dcTotal * cp[j] * sigma(f[j])
                        dCand[j] = dcTotal * i[j] * phi(cand[j])
                        dOut[j] = dhRow[j] * tc[j] * sigma(o[j])
                        dcRow[j] = dcTotal * f[j]
                    }
                }
            }
        }
        weights.recurrentBackward(parameters, dy: da, rows: n, dh: dh, accumulate: false,
                                  scratch: workspace.products)
    }

    public func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                               workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                               parameterGradients: inout ParameterSet<Scalar>) {
        let gradient = workspace.gradient.pointer
        weights.finishBackward(
            parameters, rows: workspace.steps * workspace.batch, input: input, hPrev: states.h(0),
            inputProjectionGradient: gradient, recurrentProjectionGradient: gradient,
            inputGradient: inputGradient, parameterGradients: &parameterGradients, scratch: workspace.products)
    }
}
