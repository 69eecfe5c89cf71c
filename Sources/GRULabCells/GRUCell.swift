import GRULabTensor

/// The gated recurrent unit in PyTorch's and cuDNN's convention (`torch.nn.GRU`).
///
/// ```
/// r  = σ(W_ir x + b_ir + W_hr h + b_hr)
/// z  = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n  = φ(W_in x + b_in + r ⊙ (W_hn h + b_hn))
/// h' = (1 - z) ⊙ n + z ⊙ h
/// ```
///
/// The reset gate multiplies the recurrent product *with its bias* (`W_hn h + b_hn`), unlike
/// Cho et al. 2014 (see ``D2LGRUCell``). `σ` is the gate activation (sigmoid by default), `φ`
/// the candidate activation (tanh by default).
///
/// Parameters, gate order r, z, n stacked along the first axis, as PyTorch names them:
/// `weight_ih` `[3H, C]`, `weight_hh` `[3H, H]`, `bias_ih` `[3H]`, `bias_hh` `[3H]`.
///
/// ### References
/// Cho et al. 2014, "Learning Phrase Representations using RNN Encoder–Decoder"; the cuDNN
/// variant as documented for `torch.nn.GRU`.
public typealias GRUCell<Scalar: TensorScalar> = GRU<PackedGateWeights<Scalar>>

/// The equations of ``GRUCell`` over any ``GateWeights``: the products `W x` and `W h` are
/// affine maps or convolutions, the elementwise work the same.
public struct GRU<Weights: GateWeights>: RecurrentCell {
    public typealias Scalar = Weights.Scalar
    public let weights: Weights
    public var inputSize: Int { weights.inputSize }
    public var hiddenSize: Int { weights.hiddenSize }
    public var channelSize: Int { weights.channelSize }
    public var hasCell: Bool { false }
    public var gateActivation: Activation
    public var candidateActivation: Activation
    public var parameters: ParameterSet<Scalar>

    /// A cell with every weight and bias drawn by `initializer` (PyTorch's default by default).
    public init(inputSize: Int, hiddenSize: Int, gateActivation: Activation = .sigmoid,
                candidateActivation: Activation = .tanh, initializer: CellInitializer = .init(),
                featureMap: FeatureMap? = nil, using generator: inout SeededGenerator) {
        weights = Weights(gates: 3, inputSize: inputSize, hiddenSize: hiddenSize,
                          options: CellOptions(featureMap: featureMap))
        self.gateActivation = gateActivation
        self.candidateActivation = candidateActivation
        parameters = weights.initialParameters(initializer, using: &generator)
    }

    public struct Workspace {
        let steps: Int, batch: Int
        /// Whether every step's gates are kept for backward, or only the current step's.
        let keepsSteps: Bool
        /// `[T, N, 3H]`: `W_i x + b_i` in forward, then its gradient in backward.
        let projection: Buffer<Scalar>
        /// `[T, N, 3H]` (`[N, 3H]` without `keepsSteps`): r, z, n.
        let gates: Buffer<Scalar>
        /// `[T, N, H]` (`[N, H]` without `keepsSteps`): `W_hn h + b_hn`.
        let recurrentCandidate: Buffer<Scalar>
        /// `[T, N, 3H]` (empty without `keepsSteps`): the gradient of `W_h h + b_h`.
        let recurrentGradient: Buffer<Scalar>
        /// `[N, 3H]`.
        let scratch: Buffer<Scalar>
        /// `[N, H]`: the masked operand of the recurrent product, then its gradient.
        let maskedState: Buffer<Scalar>
        let products: Weights.Scratch

        /// Where step `t`'s saved values go.
        func slot(_ t: Int) -> Int { keepsSteps ? t : 0 }
    }

    /// The recurrent product reads `h ⊙ m`; the blend `z ⊙ h` carries `h` itself.
    public var appliesRecurrentMask: Bool { true }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        makeWorkspace(steps: steps, batch: batch, keepsSteps: true)
    }

    /// One step of gates: at `(I,H,N,T) = (2,128,64,1000)` an evaluation's peak memory falls
    /// from 282 to 157 MB.
    public func makeEvaluationWorkspace(steps: Int, batch: Int) -> Workspace {
        makeWorkspace(steps: steps, batch: batch, keepsSteps: false)
    }

    private func makeWorkspace(steps: Int, batch: Int, keepsSteps: Bool) -> Workspace {
        let rows = steps * batch, saved = keepsSteps ? rows : batch, g = 3 * hiddenSize
        return Workspace(steps: steps, batch: batch, keepsSteps: keepsSteps, projection: Buffer(count: rows * g, zeroed: false),
                         gates: Buffer(count: saved * g, zeroed: false), recurrentCandidate: Buffer(count: saved * hiddenSize, zeroed: false),
                         recurrentGradient: Buffer(count: keepsSteps ? rows * g : 0, zeroed: false),
                         scratch: Buffer(count: batch * g, zeroed: false),
                         maskedState: Buffer(count: batch * hiddenSize, zeroed: false),
                         products: weights.makeScratch(batch: batch))
    }

    public func prepare(input: UnsafePointer<Scalar>, workspace: Workspace) {
        weights.project(parameters, input: input, rows: workspace.steps * workspace.batch,
                        into: workspace.projection.pointer, foldRecurrentBias: false,
                        scratch: workspace.products)
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize, g = 3 * h
        let hp = workspace.scratch.pointer
        let hPrev = states.h(t), hNext = states.h(t + 1)
        let operand = recurrentOperand(hPrev, mask: states.recurrentMask, into: workspace.maskedState)
        weights.recurrent(parameters, h: operand, rows: n, into: hp, addingBias: true, accumulate: false,
                          scratch: workspace.products)
        let xp = workspace.projection[t * n * g], gates = workspace.gates[workspace.slot(t) * n * g]
        let hn = workspace.recurrentCandidate[workspace.slot(t) * n * h]
        // Pre-activations first, then each activation over a contiguous block, then the blend:
        // loops without calls, indexed by j alone (blocks addressed outside them), which the
        // compiler vectorises.
        for b in 0..<n {
            let row = b * g, x = xp + row, recurrent = hp + row, out = gates + row, hnRow = hn + b * h
            for j in 0..<2 * h { out[j] = x[j] + recurrent[j] }
            gateActivation.apply(out, count: 2 * h)
            let (r, z, cand) = (out, out + h, out + 2 * h)
            let (xn, recurrentN) = (x + 2 * h, recurrent + 2 * h)
            for j in 0..<h {
                hnRow[j] = recurrentN[j]
                cand[j] = xn[j] + r[j] * recurrentN[j]
            }
            candidateActivation.apply(cand, count: h)
            let prev = hPrev + b * h, next = hNext + b * h
            for j in 0..<h { next[j] = (1 - z[j]) * cand[j] + z[j] * prev[j] }
        }
    }

    public func carryGate(in workspace: Workspace) -> GateView<Scalar>? {
        GateView(base: workspace.gates.pointer + hiddenSize, rows: workspace.gates.count / (3 * hiddenSize),
                 rowStride: 3 * hiddenSize, width: hiddenSize)
    }

    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize, g = 3 * h
        let dh = gradient.h(0), hPrev = states.h(t)
        let gates = workspace.gates[t * n * g], hn = workspace.recurrentCandidate[t * n * h]
        let dxp = workspace.projection[t * n * g], dhp = workspace.recurrentGradient[t * n * g]
        // Every row's blocks addressed by pointers set outside the inner loop, which then indexes
        // by j alone: no checked index arithmetic in it, so the compiler vectorises it.
        gateActivation.withDerivative { (sigma: (Scalar) -> Scalar) in
            candidateActivation.withDerivative { (phi: (Scalar) -> Scalar) in
                for b in 0..<n {
                    let (r, z, cand) = (gates + b * g, gates + b * g + h, gates + b * g + 2 * h)
                    let (dr, dz, dCand) = (dxp + b * g, dxp + b * g + h, dxp + b * g + 2 * h)
                    let d = dh + b * h, hnRow = hn + b * h, prev = hPrev + b * h
                    for j in 0..<h {
                        let dc = d[j] * (1 - z[j]) * phi(cand[j])
                        dr[j] = dc * hnRow[j] * sigma(r[j])
                        dz[j] = d[j] * (prev[j] - cand[j]) * sigma(z[j])
                        dCand[j] = dc
                        d[j] *= z[j]
                    }
                    let recurrent = dhp + b * g, recurrentCandidate = recurrent + 2 * h
                    recurrent.update(from: dr, count: 2 * h)
                    for j in 0..<h { recurrentCandidate[j] = dCand[j] * r[j] }
                }
            }
        }
        if let mask = states.recurrentMask {
            let dOperand = workspace.maskedState.pointer
            weights.recurrentBackward(parameters, dy: dhp, rows: n, dh: dOperand, accumulate: false,
                                      scratch: workspace.products)
            Scalar.multiply(count: n * h, x: mask.pointer, y: dOperand)
            Scalar.axpy(count: n * h, alpha: 1, x: dOperand, y: dh)
        } else {
            weights.recurrentBackward(parameters, dy: dhp, rows: n, dh: dh, accumulate: true,
                                      scratch: workspace.products)
        }
    }

    public func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                               workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                               parameterGradients: inout ParameterSet<Scalar>) {
        let operands = recurrentOperands(states, steps: workspace.steps)
        weights.finishBackward(
            parameters, rows: workspace.steps * workspace.batch, input: input, hPrev: operands.pointer,
            inputProjectionGradient: workspace.projection.pointer,
            recurrentProjectionGradient: workspace.recurrentGradient.pointer,
            inputGradient: inputGradient, parameterGradients: &parameterGradients, scratch: workspace.products)
    }
}

/// `h ⊙ m` in `scratch` when there is a recurrent mask, else `h` itself: the operand of a
/// recurrent product under variational dropout.
func recurrentOperand<Scalar: TensorScalar>(_ h: UnsafeMutablePointer<Scalar>, mask: Buffer<Scalar>?,
                                            into scratch: Buffer<Scalar>) -> UnsafeMutablePointer<Scalar> {
    guard let mask else { return h }
    scratch.pointer.update(from: h, count: mask.count)
    Scalar.multiply(count: mask.count, x: mask.pointer, y: scratch.pointer)
    return scratch.pointer
}

/// The operands of every step's recurrent product, `[T, N, H]`: slots `0..<T` of h, masked by
/// the recurrent mask when there is one (a copy), else the slots themselves.
func recurrentOperands<Scalar: TensorScalar>(_ states: StateBuffers<Scalar>, steps: Int) -> Buffer<Scalar> {
    let row = states.batch * states.hiddenSize
    guard let mask = states.recurrentMask else { return states.h }
    let operands = Buffer<Scalar>(count: steps * row, zeroed: false)
    operands.pointer.update(from: states.h(0), count: steps * row)
    for t in 0..<steps { Scalar.multiply(count: row, x: mask.pointer, y: operands.pointer + t * row) }
    return operands
}
