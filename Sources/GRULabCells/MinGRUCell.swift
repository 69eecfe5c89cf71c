import Foundation
import GRULabTensor
import _GRULabKernels

/// The minimal GRU of Feng et al. 2024: gates from the input only, so the recurrence is linear
/// in `h` and a sequence can be computed by a scan over time.
///
/// ```
/// z  = σ(x W_z^T + b_z)
/// h~ = x W_h^T + b_h
/// h' = (1 - z) ⊙ h + z ⊙ h~
/// ```
///
/// Parameters, stored `[out, in]` as PyTorch's `nn.Linear`: `weight_z` `[H, C]`, `bias_z`
/// `[H]`, `weight_h` `[H, C]`, `bias_h` `[H]`. There is no recurrent product: the step is
/// elementwise.
///
/// The recurrence is elementwise, so sequences are independent: with
/// ``Recurrence/parallelScan`` step 0, where the initial state is first known, runs all steps,
/// each thread taking a share of the batch's sequences through time, and writes every slot;
/// the later steps have nothing left to do. Each sequence's arithmetic is that of
/// ``Recurrence/sequential``, so both give the same bits, on any number of threads. It assumes
/// nothing rewrites the state between steps, so a modifier that does (zoneout) needs
/// ``Recurrence/sequential``. (A finished sequence's padded slots, which step 0 fills too, are
/// overwritten with its carried state after each step; nothing reads them before.)
///
/// With at most ``SmallAffine/maxInputs`` input features the input products bypass BLAS and
/// are not stored: each pass recomputes them from the input (C multiply-adds an output), and
/// each backward step adds its share to the gradients of the input, the weights and the biases
/// at once, so no gradient of the pre-activations is stored either.
///
/// ### References
/// Feng, Tung, Ahmed, Bengio & Hajimirsadeghi 2024, "Were RNNs All We Needed?"
public struct MinGRUCell<Scalar: TensorScalar>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var hasCell: Bool { false }
    public var gateActivation: Activation
    public var recurrence: Recurrence
    public var parameters: ParameterSet<Scalar>

    /// How the forward pass runs through time.
    public enum Recurrence: String, Sendable, CaseIterable {
        /// One step after the other.
        case sequential
        /// All steps at step 0, the batch's sequences shared among threads.
        case parallelScan = "parallel-scan"
    }

    public init(inputSize: Int, hiddenSize: Int, gateActivation: Activation = .sigmoid,
                recurrence: Recurrence = .parallelScan,
                initializer: CellInitializer = .init(), using generator: inout SeededGenerator) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.gateActivation = gateActivation
        self.recurrence = recurrence
        let (c, h) = (inputSize, hiddenSize)
        parameters = initializer.parameters(
            [("weight_z", [h, c], .input), ("bias_z", [h], .bias), ("weight_h", [h, c], .input), ("bias_h", [h], .bias)],
            hiddenSize: h, using: &generator)
    }

    public struct Workspace: Sendable {
        let steps: Int, batch: Int
        /// `[T, N, 2H]` when C is above ``SmallAffine/maxInputs``: the pre-activations of z and
        /// h~, then their gradients.
        let projection: Buffer<Scalar>?
        /// When C is at most ``SmallAffine/maxInputs``: what the input products are recomputed from.
        let small: SmallInput?
        /// `[T, N, H]`: z.
        let gate: Buffer<Scalar>
    }

    struct SmallInput: Sendable {
        /// `[T, N, C]`: the input.
        let input: Buffer<Scalar>
        /// `[C + 1, 2H]`: row `i` holds column `i` of W_z and then of W_h (the weights
        /// transposed), the last row b_z and then b_h.
        let packed: Buffer<Scalar>
        /// `[C + 1, 2H]`: the gradient of `packed`, summed by the backward steps.
        let packedGradient: Buffer<Scalar>
        /// `[T, N, C]`: dL/dx, written by the backward steps.
        let inputGradient: Buffer<Scalar>
        /// The backward kernel's copy of `packed` and `packedGradient` in blocks of units.
        let work: Buffer<Scalar>
    }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        let rows = steps * batch, h = hiddenSize, c = inputSize
        let small = c <= SmallAffine<Scalar>.maxInputs
        return Workspace(
            steps: steps, batch: batch,
            projection: small ? nil : Buffer(count: rows * 2 * h, zeroed: false),
            small: small ? SmallInput(input: Buffer(count: rows * c, zeroed: false),
                                      packed: Buffer(count: (c + 1) * 2 * h, zeroed: false),
                                      packedGradient: Buffer(count: (c + 1) * 2 * h, zeroed: false),
                                      inputGradient: Buffer(count: rows * c, zeroed: false),
                                      work: Buffer(count: Int(grulab_mingru_backward_work_count(Int64(c), Int64(h))),
                                                   zeroed: false)) : nil,
            gate: Buffer(count: rows * h, zeroed: false))
    }

    private func linears<R>(_ body: (_ z: Linear<Scalar>, _ bz: UnsafePointer<Scalar>,
                                     _ h: Linear<Scalar>, _ bh: UnsafePointer<Scalar>) -> R) -> R {
        parameters.withUnsafeBufferPointer { p in
            let base = p.baseAddress!, e = parameters.entries
            return body(Linear(weight: base + e[0].offset, inFeatures: inputSize, outFeatures: hiddenSize),
                        base + e[1].offset,
                        Linear(weight: base + e[2].offset, inFeatures: inputSize, outFeatures: hiddenSize),
                        base + e[3].offset)
        }
    }

    public func prepare(input: UnsafePointer<Scalar>, workspace: Workspace) {
        let rows = workspace.steps * workspace.batch, h = hiddenSize
        if let small = workspace.small {
            small.input.pointer.update(from: input, count: rows * inputSize)
            pack(into: small.packed.pointer)
        } else if let y = workspace.projection?.pointer {
            linears { wz, bz, wh, bh in
                wz.apply(rows: rows, x: input, xStride: inputSize, bias: bz, y: y, yStride: 2 * h)
                wh.apply(rows: rows, x: input, xStride: inputSize, bias: bh, y: y + h, yStride: 2 * h)
            }
        }
    }

    /// `[C + 1, 2H]`: W_z^T and W_h^T side by side, then b_z and b_h.
    private func pack(into packed: UnsafeMutablePointer<Scalar>) {
        let (c, h) = (inputSize, hiddenSize)
        parameters.withUnsafeBufferPointer { p in
            let e = parameters.entries, wz = p.baseAddress! + e[0].offset, wh = p.baseAddress! + e[2].offset
            for i in 0..<c {
                for j in 0..<h {
                    packed[i * 2 * h + j] = wz[j * c + i]
                    packed[i * 2 * h + h + j] = wh[j * c + i]
                }
            }
            (packed + c * 2 * h).update(from: p.baseAddress! + e[1].offset, count: h)
            (packed + c * 2 * h + h).update(from: p.baseAddress! + e[3].offset, count: h)
        }
    }

    /// z for batch rows `rows` of step t, into the gate.
    private func activate(_ t: Int, rows: Range<Int>, _ workspace: Workspace) {
        let (n, h, c) = (workspace.batch, hiddenSize, inputSize)
        let first = t * n + rows.lowerBound, gate = workspace.gate.pointer + first * h
        if let small = workspace.small {
            let packed = small.packed.pointer
            SmallAffine.apply(rows: rows.count, inputs: c, outputs: h, x: small.input[first * c], xStride: c,
                              weightT: packed, weightStride: 2 * h, bias: packed + c * 2 * h, y: gate, yStride: h)
        } else {
            let p = workspace.projection!.pointer + first * 2 * h
            for r in 0..<rows.count { (gate + r * h).update(from: p + r * 2 * h, count: h) }
        }
        gateActivation.apply(gate, count: rows.count * h)
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        let n = workspace.batch
        guard recurrence == .parallelScan else {
            advance(t, rows: 0..<n, states: states, workspace: workspace)
            return
        }
        guard t == 0 else { return }
        let parts = max(1, min(blasThreads(), n))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let rows = part * n / parts ..< (part + 1) * n / parts
            for t in 0..<workspace.steps { advance(t, rows: rows, states: states, workspace: workspace) }
        }
    }

    /// Step t for batch rows `rows`: z into the gate, and slot t + 1 of h.
    private func advance(_ t: Int, rows: Range<Int>, states: StateBuffers<Scalar>, workspace: Workspace) {
        let (n, h, c) = (workspace.batch, hiddenSize, inputSize)
        activate(t, rows: rows, workspace)
        let first = t * n + rows.lowerBound, offset = rows.lowerBound * h
        let z = workspace.gate[first * h], hPrev = states.h(t) + offset, hNext = states.h(t + 1) + offset
        if let small = workspace.small {
            Self.smallInputForward(rows: rows.count, inputs: c, hidden: h, x: small.input[first * c], z: z,
                                   hPrev: hPrev, packed: small.packed.pointer, h: hNext)
            return
        }
        let candidate = workspace.projection!.pointer + first * 2 * h + h
        // row by row, so the inner loop over a row's units is plain strided arithmetic the
        // compiler vectorises
        for r in 0..<rows.count {
            let z = z + r * h, previous = hPrev + r * h, next = hNext + r * h, c = candidate + r * 2 * h
            for j in 0..<h { next[j] = (1 - z[j]) * previous[j] + z[j] * c[j] }
        }
    }

    /// `grulab_mingru_forward` for `rows` rows: `h = (1 - z) ⊙ h_prev + z ⊙ h~` `[rows, H]`, h~
    /// from `x` `[rows, C]` and `packed` (``SmallInput/packed``).
    static func smallInputForward(rows: Int, inputs: Int, hidden: Int, x: UnsafePointer<Scalar>,
                                  z: UnsafePointer<Scalar>, hPrev: UnsafePointer<Scalar>,
                                  packed: UnsafePointer<Scalar>, h: UnsafeMutablePointer<Scalar>) {
        precondition((1...SmallAffine<Scalar>.maxInputs).contains(inputs), "1...\(SmallAffine<Scalar>.maxInputs) inputs")
        let (rows, inputs, hidden) = (Int64(rows), Int64(inputs), Int64(hidden))
        if Scalar.self == Float.self {
            grulab_mingru_forward_f32(rows, inputs, hidden, cast(x), cast(z), cast(hPrev), cast(packed), cast(h))
        } else {
            grulab_mingru_forward_f64(rows, inputs, hidden, cast(x), cast(z), cast(hPrev), cast(packed), cast(h))
        }
    }

    /// minGRU's z weighs the candidate, so the gate that carries the state is `1 - z`; the
    /// view is of z, and statistics of it read accordingly.
    public func carryGate(in workspace: Workspace) -> GateView<Scalar>? {
        GateView(base: workspace.gate.pointer, rows: workspace.steps * workspace.batch,
                 rowStride: hiddenSize, width: hiddenSize)
    }

    /// minGRU has no recurrent product, so variational dropout's recurrent mask has nothing
    /// to act on (masking the carried state would amplify it at every step).
    public var appliesRecurrentMask: Bool { true }

    /// With few input features one kernel does the whole step (`grulab_mingru_backward`): it
    /// recomputes h~, and adds its rows' share of the gradients of the input, weights and
    /// biases at once, summed from step T - 1 down (the first call, at `T - 1`, starts the sums).
    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        let (n, h, c) = (workspace.batch, hiddenSize, inputSize)
        let gate = workspace.gate[t * n * h], hPrev = states.h(t), dh = gradient.h(0)
        if let small = workspace.small {
            if t == workspace.steps - 1 { small.packedGradient.zero() }
            Self.smallInputBackward(rows: n, inputs: c, hidden: h, gate: gateActivation, x: small.input[t * n * c],
                                    z: gate, hPrev: hPrev, dh: dh, packed: small.packed.pointer,
                                    dx: small.inputGradient[t * n * c], dPacked: small.packedGradient.pointer,
                                    work: small.work.pointer)
            return
        }
        let a = workspace.projection![t * n * 2 * h]
        gateActivation.withDerivative { (sigma: (Scalar) -> Scalar) in
            // Rows addressed outside the inner loop, which indexes by j alone and vectorises.
            for b in 0..<n {
                let z = gate + b * h, d = dh + b * h, previous = hPrev + b * h
                let dz = a + b * 2 * h, candidate = dz + h
                for j in 0..<h {
                    dz[j] = d[j] * (candidate[j] - previous[j]) * sigma(z[j])
                    candidate[j] = d[j] * z[j]
                    d[j] *= 1 - z[j]
                }
            }
        }
    }

    /// `grulab_mingru_backward` for `rows` rows: from `dh` `[rows, H]` (replaced by the gradient
    /// of the previous state), `x` `[rows, C]`, z and h_prev `[rows, H]`, overwrites `dx`
    /// `[rows, C]` and adds to `dPacked`, the gradient of `packed` (`[C + 1, 2H]`, see
    /// ``SmallInput/packed``); `work` holds `grulab_mingru_backward_work_count(C, H)` elements.
    static func smallInputBackward(rows: Int, inputs: Int, hidden: Int, gate: Activation, x: UnsafePointer<Scalar>,
                                   z: UnsafePointer<Scalar>, hPrev: UnsafePointer<Scalar>,
                                   dh: UnsafeMutablePointer<Scalar>, packed: UnsafePointer<Scalar>,
                                   dx: UnsafeMutablePointer<Scalar>, dPacked: UnsafeMutablePointer<Scalar>,
                                   work: UnsafeMutablePointer<Scalar>) {
        precondition((1...SmallAffine<Scalar>.maxInputs).contains(inputs), "1...\(SmallAffine<Scalar>.maxInputs) inputs")
        let kind = switch gate {
        case .sigmoid: grulab_gate_sigmoid
        case .hardSigmoid: grulab_gate_hard_sigmoid
        case .tanh: grulab_gate_tanh
        case .relu: grulab_gate_relu
        }
        let (rows, inputs, hidden) = (Int64(rows), Int64(inputs), Int64(hidden))
        if Scalar.self == Float.self {
            grulab_mingru_backward_f32(rows, inputs, hidden, kind, cast(x), cast(z), cast(hPrev), cast(dh), cast(packed),
                                       cast(dx), cast(dPacked), cast(work))
        } else {
            grulab_mingru_backward_f64(rows, inputs, hidden, kind, cast(x), cast(z), cast(hPrev), cast(dh), cast(packed),
                                       cast(dx), cast(dPacked), cast(work))
        }
    }

    public func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                               workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                               parameterGradients: inout ParameterSet<Scalar>) {
        let rows = workspace.steps * workspace.batch, (h, c) = (hiddenSize, inputSize), e = parameters.entries
        if let small = workspace.small {
            inputGradient.update(from: small.inputGradient.pointer, count: rows * c)
            let packed = small.packedGradient.pointer
            parameterGradients.withUnsafeMutableBufferPointer { grads in
                let base = grads.baseAddress!
                let (dwz, dbz, dwh, dbh) = (base + e[0].offset, base + e[1].offset, base + e[2].offset, base + e[3].offset)
                for j in 0..<h {
                    for i in 0..<c {
                        dwz[j * c + i] += packed[i * 2 * h + j]
                        dwh[j * c + i] += packed[i * 2 * h + h + j]
                    }
                    dbz[j] += packed[c * 2 * h + j]
                    dbh[j] += packed[c * 2 * h + h + j]
                }
            }
            return
        }
        let da = workspace.projection!.pointer
        linears { wz, _, wh, _ in
            wz.backwardInput(rows: rows, dy: da, dyStride: 2 * h, dx: inputGradient, dxStride: inputSize,
                             accumulate: false)
            wh.backwardInput(rows: rows, dy: da + h, dyStride: 2 * h, dx: inputGradient, dxStride: inputSize,
                             accumulate: true)
            parameterGradients.withUnsafeMutableBufferPointer { grads in
                let base = grads.baseAddress!
                wz.accumulateWeightGradient(rows: rows, x: input, xStride: inputSize, dy: da, dyStride: 2 * h,
                                            dWeight: base + e[0].offset)
                accumulateBiasGradient(rows: rows, dy: da, stride: 2 * h, count: h, dBias: base + e[1].offset)
                wh.accumulateWeightGradient(rows: rows, x: input, xStride: inputSize, dy: da + h, dyStride: 2 * h,
                                            dWeight: base + e[2].offset)
                accumulateBiasGradient(rows: rows, dy: da + h, stride: 2 * h, count: h, dBias: base + e[3].offset)
            }
        }
    }
}
