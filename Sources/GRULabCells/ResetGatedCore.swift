import GRULabTensor

/// The computation shared by the GRUs that apply the reset gate to the state *before* the
/// recurrent product (Cho et al. 2014), over any ``GateWeights`` (gates r, z, s~):
/// ``D2LGRUCell``, ``CellStateGRUCell`` and ``ConvGRUCell``.
///
/// ```
/// r  = σ(Wx_r x + Wh_r h + b_r)
/// z  = σ(Wx_z x + Wh_z h + b_z)
/// s~ = φ(Wx_s x + Wh_s (r ⊙ h) + b_s)
/// s' = z ⊙ s + (1 - z) ⊙ s~
/// ```
///
/// where the blended state `s` is `h` itself (`d2l-gru`, `convgru`), or a memory cell `c`
/// with `h' = φ(c')` (`cellstate-gru`). Every bias joins its gate's pre-activation directly,
/// so the input and recurrent pre-activations share one gradient.
struct ResetGatedCore<Weights: GateWeights> {
    typealias Scalar = Weights.Scalar
    let weights: Weights
    let blendsCell: Bool
    let gateActivation: Activation
    let candidateActivation: Activation

    var hiddenSize: Int { weights.hiddenSize }

    struct Workspace {
        let steps: Int, batch: Int
        /// `[T, N, 3H]`: the input part of every pre-activation, then the pre-activations' gradients.
        let projection: Buffer<Scalar>
        /// `[T, N, 3H]`: r, z, s~.
        let gates: Buffer<Scalar>
        /// `[T, N, H]`: r ⊙ h, the operand of the candidate's recurrent product.
        let resetState: Buffer<Scalar>
        /// `[T, N, H]`: h' = φ(c') when the blended state is a cell (slot t+1 may be rewritten).
        let cellOutput: Buffer<Scalar>?
        /// `[N, 3H]` and `[N, H]`.
        let scratch: Buffer<Scalar>, scratchH: Buffer<Scalar>
        /// `[N, H]` each: the masked operand of the recurrent products, and its gradient.
        let maskedState: Buffer<Scalar>, operandGradient: Buffer<Scalar>
        let products: Weights.Scratch
    }

    func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        let rows = steps * batch, h = hiddenSize
        return Workspace(steps: steps, batch: batch, projection: Buffer(count: rows * 3 * h, zeroed: false),
                         gates: Buffer(count: rows * 3 * h, zeroed: false), resetState: Buffer(count: rows * h, zeroed: false),
                         cellOutput: blendsCell ? Buffer(count: rows * h, zeroed: false) : nil,
                         scratch: Buffer(count: batch * 3 * h, zeroed: false), scratchH: Buffer(count: batch * h, zeroed: false),
                         maskedState: Buffer(count: batch * h, zeroed: false),
                         operandGradient: Buffer(count: batch * h, zeroed: false),
                         products: weights.makeScratch(batch: batch))
    }

    func prepare(_ parameters: ParameterSet<Scalar>, input: UnsafePointer<Scalar>, workspace: Workspace) {
        weights.project(parameters, input: input, rows: workspace.steps * workspace.batch,
                        into: workspace.projection.pointer, foldRecurrentBias: true, scratch: workspace.products)
    }

    func step(_ parameters: ParameterSet<Scalar>, _ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize, g = 3 * h
        let a = workspace.scratch.pointer, hPrev = states.h(t)
        a.update(from: workspace.projection[t * n * g], count: n * g)
        let gatesOut = workspace.gates[t * n * g], rh = workspace.resetState[t * n * h]
        let operand = recurrentOperand(hPrev, mask: states.recurrentMask, into: workspace.maskedState)
        weights.recurrent(parameters, gates: 0..<2, h: operand, rows: n, into: a, addingBias: false,
                          accumulate: true, scratch: workspace.products)
        for b in 0..<n {
            let out = gatesOut + b * g, pre = a + b * g
            out.update(from: pre, count: 2 * h)
            gateActivation.apply(out, count: 2 * h)
            for j in 0..<h { rh[b * h + j] = out[j] * operand[b * h + j] }
        }
        weights.recurrent(parameters, gates: 2..<3, h: rh, rows: n, into: a, addingBias: false,
                          accumulate: true, scratch: workspace.products)
        let sPrev = blendsCell ? states.c(t) : hPrev
        let sNext = blendsCell ? states.c(t + 1) : states.h(t + 1), hNext = states.h(t + 1)
        let cellOutput = workspace.cellOutput.map { $0[t * n * h] }
        for b in 0..<n {
            let out = gatesOut + b * g
            (out + 2 * h).update(from: a + b * g + 2 * h, count: h)
            candidateActivation.apply(out + 2 * h, count: h)
            for j in 0..<h {
                let z = out[h + j]
                sNext[b * h + j] = z * sPrev[b * h + j] + (1 - z) * out[2 * h + j]
            }
            if let cellOutput {
                let y = cellOutput + b * h
                y.update(from: sNext + b * h, count: h)
                candidateActivation.apply(y, count: h)
                (hNext + b * h).update(from: y, count: h)
            }
        }
    }

    func stepBackward(_ parameters: ParameterSet<Scalar>, _ t: Int, states: StateBuffers<Scalar>,
                      gradient: StateBuffers<Scalar>, workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize, g = 3 * h
        let dh = gradient.h(0), hPrev = states.h(t), hNext = workspace.cellOutput.map { $0[t * n * h] }
        let sPrev = blendsCell ? states.c(t) : hPrev
        let ds = blendsCell ? gradient.c(0) : dh
        let gates = workspace.gates[t * n * g], da = workspace.projection[t * n * g]
        let dResetState = workspace.scratchH.pointer
        let sigma = gateActivation, phi = candidateActivation
        for b in 0..<n {
            for j in 0..<h {
                let i = b * h + j
                let z = gates[b * g + h + j], cand = gates[b * g + 2 * h + j]
                let dsTotal = hNext.map { ds[i] + dh[i] * phi.derivative(output: $0[i]) } ?? ds[i]
                da[b * g + h + j] = dsTotal * (sPrev[i] - cand) * sigma.derivative(output: z)
                da[b * g + 2 * h + j] = dsTotal * (1 - z) * phi.derivative(output: cand)
                ds[i] = dsTotal * z
                if blendsCell { dh[i] = 0 }
            }
        }
        let mask = states.recurrentMask
        let operand = recurrentOperand(hPrev, mask: mask, into: workspace.maskedState)
        // the gradient of the products' operand: h itself without a mask, else h ⊙ m, whose
        // gradient reaches h through m
        let dOperand = mask == nil ? dh : workspace.operandGradient.pointer
        if mask != nil { dOperand.update(repeating: 0, count: n * h) }
        weights.recurrentBackward(parameters, gates: 2..<3, dy: da, rows: n, dh: dResetState, accumulate: false,
                                  scratch: workspace.products)
        for b in 0..<n {
            for j in 0..<h {
                let i = b * h + j, r = gates[b * g + j]
                da[b * g + j] = dResetState[i] * operand[i] * sigma.derivative(output: r)
                dOperand[i] += dResetState[i] * r
            }
        }
        weights.recurrentBackward(parameters, gates: 0..<2, dy: da, rows: n, dh: dOperand, accumulate: true,
                                  scratch: workspace.products)
        if let mask {
            Scalar.multiply(count: n * h, x: mask.pointer, y: dOperand)
            Scalar.axpy(count: n * h, alpha: 1, x: dOperand, y: dh)
        }
    }

    func finishBackward(_ parameters: ParameterSet<Scalar>, input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                        workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                        parameterGradients: inout ParameterSet<Scalar>) {
        let da = workspace.projection.pointer
        let operands = recurrentOperands(states, steps: workspace.steps)
        weights.finishBackward(
            parameters, rows: workspace.steps * workspace.batch, input: input,
            recurrentOperands: [(0..<2, UnsafePointer(operands.pointer)), (2..<3, UnsafePointer(workspace.resetState.pointer))],
            inputProjectionGradient: da, recurrentProjectionGradient: da, inputGradient: inputGradient,
            parameterGradients: &parameterGradients, scratch: workspace.products)
    }
}
