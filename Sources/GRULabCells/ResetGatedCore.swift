import GRULabTensor

/// The computation shared by the GRUs that apply the reset gate to the state *before* the
/// recurrent product (Cho et al. 2014): ``ResetGatedGRUCell``, i.e. ``D2LGRUCell`` and ``CellStateGRUCell``.
///
/// ```
/// r  = σ(x Wx_r + h Wh_r + b_r)
/// z  = σ(x Wx_z + h Wh_z + b_z)
/// s~ = φ(x Wx_s + (r ⊙ h) Wh_s + b_s)
/// s' = z ⊙ s + (1 - z) ⊙ s~
/// ```
///
/// where the blended state `s` is `h` itself (`d2l-gru`), or a memory cell `c` with `h' = φ(c')`
/// (`cellstate-gru`). Weights are stored `[in, out]`; biases are optional. The parameter
/// positions are given by `weights`: for each gate (r, z, s~) the index in the ``ParameterSet``
/// of its input weight, its recurrent weight, and its bias, and the row offset of the input
/// weight within its stored matrix (for weights that stack `[h, x]` rows).
struct ResetGatedCore {
    struct Gate {
        let inputWeight: Int
        let inputRowOffset: Int
        let recurrentWeight: Int
        let bias: Int?
    }

    let inputSize: Int
    let hiddenSize: Int
    let gates: [Gate]  // r, z, s~
    let blendsCell: Bool
    let gateActivation: Activation
    let candidateActivation: Activation

    struct Workspace<Scalar: TensorScalar> {
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
    }

    func makeWorkspace<Scalar: TensorScalar>(steps: Int, batch: Int) -> Workspace<Scalar> {
        let rows = steps * batch, h = hiddenSize
        return Workspace(steps: steps, batch: batch, projection: Buffer(count: rows * 3 * h, zeroed: false),
                         gates: Buffer(count: rows * 3 * h, zeroed: false), resetState: Buffer(count: rows * h, zeroed: false),
                         cellOutput: blendsCell ? Buffer(count: rows * h, zeroed: false) : nil,
                         scratch: Buffer(count: batch * 3 * h, zeroed: false), scratchH: Buffer(count: batch * h, zeroed: false),
                         maskedState: Buffer(count: batch * h, zeroed: false),
                         operandGradient: Buffer(count: batch * h, zeroed: false))
    }

    private func linears<Scalar: TensorScalar, R>(
        _ parameters: ParameterSet<Scalar>,
        _ body: (_ input: [Linear<Scalar>], _ recurrent: [Linear<Scalar>], _ bias: [UnsafePointer<Scalar>?]) -> R
    ) -> R {
        parameters.withUnsafeBufferPointer { p in
            let base = p.baseAddress!, e = parameters.entries, h = hiddenSize
            return body(
                gates.map { Linear(weight: base + e[$0.inputWeight].offset + $0.inputRowOffset * h,
                                   inFeatures: inputSize, outFeatures: h, outByIn: false) },
                gates.map { Linear(weight: base + e[$0.recurrentWeight].offset, inFeatures: h, outFeatures: h,
                                   outByIn: false) },
                gates.map { $0.bias.map { UnsafePointer(base + e[$0].offset) } })
        }
    }

    func prepare<Scalar: TensorScalar>(_ parameters: ParameterSet<Scalar>, input: UnsafePointer<Scalar>,
                                       workspace: Workspace<Scalar>) {
        let rows = workspace.steps * workspace.batch, h = hiddenSize
        linears(parameters) { input_, _, bias in
            for k in 0..<3 {
                let y = workspace.projection.pointer + k * h
                input_[k].apply(rows: rows, x: input, xStride: inputSize, y: y, yStride: 3 * h)
                if let b = bias[k] { addBias(b, count: h, rows: rows, to: y, stride: 3 * h) }
            }
        }
    }

    func step<Scalar: TensorScalar>(_ parameters: ParameterSet<Scalar>, _ t: Int, states: StateBuffers<Scalar>,
                                    workspace: Workspace<Scalar>) {
        let n = workspace.batch, h = hiddenSize, g = 3 * h
        let a = workspace.scratch.pointer, hPrev = states.h(t)
        a.update(from: workspace.projection[t * n * g], count: n * g)
        let gatesOut = workspace.gates[t * n * g], rh = workspace.resetState[t * n * h]
        let operand = recurrentOperand(hPrev, mask: states.recurrentMask, into: workspace.maskedState)
        linears(parameters) { _, recurrent, _ in
            recurrent[0].apply(rows: n, x: operand, xStride: h, y: a, yStride: g, accumulate: true)
            recurrent[1].apply(rows: n, x: operand, xStride: h, y: a + h, yStride: g, accumulate: true)
            for b in 0..<n {
                let out = gatesOut + b * g, pre = a + b * g
                out.update(from: pre, count: 2 * h)
                gateActivation.apply(out, count: 2 * h)
                for j in 0..<h { rh[b * h + j] = out[j] * operand[b * h + j] }
            }
            recurrent[2].apply(rows: n, x: rh, xStride: h, y: a + 2 * h, yStride: g, accumulate: true)
        }
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

    func stepBackward<Scalar: TensorScalar>(_ parameters: ParameterSet<Scalar>, _ t: Int,
                                            states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                                            workspace: Workspace<Scalar>) {
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
        linears(parameters) { _, recurrent, _ in
            recurrent[2].backwardInput(rows: n, dy: da + 2 * h, dyStride: g, dx: dResetState, dxStride: h,
                                       accumulate: false)
            for b in 0..<n {
                for j in 0..<h {
                    let i = b * h + j, r = gates[b * g + j]
                    da[b * g + j] = dResetState[i] * operand[i] * sigma.derivative(output: r)
                    dOperand[i] += dResetState[i] * r
                }
            }
            recurrent[0].backwardInput(rows: n, dy: da, dyStride: g, dx: dOperand, dxStride: h, accumulate: true)
            recurrent[1].backwardInput(rows: n, dy: da + h, dyStride: g, dx: dOperand, dxStride: h, accumulate: true)
        }
        if let mask {
            Scalar.multiply(count: n * h, x: mask.pointer, y: dOperand)
            Scalar.axpy(count: n * h, alpha: 1, x: dOperand, y: dh)
        }
    }

    func finishBackward<Scalar: TensorScalar>(
        _ parameters: ParameterSet<Scalar>, input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
        workspace: Workspace<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>,
        parameterGradients: inout ParameterSet<Scalar>
    ) {
        let rows = workspace.steps * workspace.batch, h = hiddenSize, g = 3 * h
        let da = workspace.projection.pointer
        let operands = GRULabCells.recurrentOperands(states, steps: workspace.steps)
        let recurrentOperands = [UnsafePointer(operands.pointer), UnsafePointer(operands.pointer),
                                 UnsafePointer(workspace.resetState.pointer)]
        let entries = parameters.entries
        linears(parameters) { input_, recurrent, _ in
            parameterGradients.withUnsafeMutableBufferPointer { grads in
                let base = grads.baseAddress!
                for (k, gate) in gates.enumerated() {
                    input_[k].backwardInput(rows: rows, dy: da + k * h, dyStride: g, dx: inputGradient,
                                            dxStride: inputSize, accumulate: k > 0)
                    input_[k].accumulateWeightGradient(
                        rows: rows, x: input, xStride: inputSize, dy: da + k * h, dyStride: g,
                        dWeight: base + entries[gate.inputWeight].offset + gate.inputRowOffset * h)
                    recurrent[k].accumulateWeightGradient(
                        rows: rows, x: recurrentOperands[k], xStride: h, dy: da + k * h, dyStride: g,
                        dWeight: base + entries[gate.recurrentWeight].offset)
                    if let bias = gate.bias {
                        accumulateBiasGradient(rows: rows, dy: da + k * h, stride: g, count: h,
                                               dBias: base + entries[bias].offset)
                    }
                }
            }
        }
    }
}
