import Foundation
import GRULabTensor

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
/// `[H]`, `weight_h` `[H, C]`, `bias_h` `[H]`. Every product is hoisted out of the time loop;
/// the step is elementwise.
///
/// With ``Recurrence/parallelScan`` the forward recurrence `h_t = a_t ⊙ h_{t-1} + b_t`
/// (`a = 1 - z`, `b = z ⊙ h~`) is solved for all steps before the loop by an associative scan
/// over time, `(A, B)_t = (a_t A_{t-1}, a_t B_{t-1} + b_t)`, split into chunks that run on all
/// cores; each step then only reads `h_t = A_t ⊙ h_0 + B_t`. It agrees with the sequential
/// recurrence to rounding. It assumes nothing rewrites the state between steps, so a modifier
/// that does (zoneout) needs ``Recurrence/sequential``.
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
        /// All steps at once by a chunked associative scan, before the time loop.
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

    public struct Workspace {
        let steps: Int, batch: Int
        /// `[T, N, 2H]`: the pre-activation of z and h~, then their gradients.
        let projection: Buffer<Scalar>
        /// `[T, N, H]`: z.
        let gate: Buffer<Scalar>
        /// `[T, N, H]` each, for the parallel scan: `h_t = A_t ⊙ h_0 + B_t`.
        let scanA: Buffer<Scalar>?, scanB: Buffer<Scalar>?
    }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        let rows = steps * batch, parallel = recurrence == .parallelScan
        return Workspace(steps: steps, batch: batch, projection: Buffer(count: rows * 2 * hiddenSize, zeroed: false),
                         gate: Buffer(count: rows * hiddenSize, zeroed: false),
                         scanA: parallel ? Buffer(count: rows * hiddenSize, zeroed: false) : nil,
                         scanB: parallel ? Buffer(count: rows * hiddenSize, zeroed: false) : nil)
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
        let y = workspace.projection.pointer
        linears { wz, bz, wh, bh in
            wz.apply(rows: rows, x: input, xStride: inputSize, bias: bz, y: y, yStride: 2 * h)
            wh.apply(rows: rows, x: input, xStride: inputSize, bias: bh, y: y + h, yStride: 2 * h)
        }
        if let scanA = workspace.scanA, let scanB = workspace.scanB {
            scan(workspace, a: scanA, b: scanB)
        }
    }

    /// Fills z and the scan's `(A_t, B_t)` for every step: each chunk of steps scans from the
    /// identity `(1, 0)` on its own core, then the chunks' totals are composed in order and
    /// applied to the later chunks, again in parallel.
    private func scan(_ workspace: Workspace, a scanA: Buffer<Scalar>, b scanB: Buffer<Scalar>) {
        let (steps, lanes, h) = (workspace.steps, workspace.batch * hiddenSize, hiddenSize)
        let chunks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, steps / 16))
        let bounds = (0...chunks).map { $0 * steps / chunks }
        let buffers = ScanBuffers(projection: workspace.projection.pointer, gate: workspace.gate.pointer,
                                  a: scanA.pointer, b: scanB.pointer)
        let sigma = gateActivation
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let p = buffers.projection, gate = buffers.gate, aOut = buffers.a, bOut = buffers.b
            for t in bounds[c]..<bounds[c + 1] {
                for row in 0..<lanes / h {
                    (gate + t * lanes + row * h).update(from: p + (t * lanes + row * h) * 2, count: h)
                }
                sigma.apply(gate + t * lanes, count: lanes)
                // A chunk's first step starts from the identity (1, 0); row by row, so the inner
                // loop over a row's units is plain strided arithmetic the compiler vectorises.
                let first = t == bounds[c]
                for row in 0..<lanes / h {
                    let lane = t * lanes + row * h, candidate = p + (t * lanes + row * h) * 2 + h
                    let z = gate + lane, a = aOut + lane, b = bOut + lane
                    if first {
                        for j in 0..<h {
                            a[j] = 1 - z[j]
                            b[j] = z[j] * candidate[j]
                        }
                    } else {
                        let previousA = a - lanes, previousB = b - lanes
                        for j in 0..<h {
                            a[j] = (1 - z[j]) * previousA[j]
                            b[j] = (1 - z[j]) * previousB[j] + z[j] * candidate[j]
                        }
                    }
                }
            }
        }
        guard chunks > 1 else { return }
        let carry = Buffer<Scalar>(count: 2 * chunks * lanes)  // (A, B) entering each chunk
        for c in 1..<chunks {
            let last = bounds[c] - 1
            for lane in 0..<lanes {
                let enteringA = c == 1 ? 1 : carry[(c - 1) * 2 * lanes + lane].pointee
                let enteringB = c == 1 ? 0 : carry[((c - 1) * 2 + 1) * lanes + lane].pointee
                let localA = scanA[last * lanes + lane].pointee, localB = scanB[last * lanes + lane].pointee
                carry[c * 2 * lanes + lane].pointee = localA * enteringA
                carry[(c * 2 + 1) * lanes + lane].pointee = localA * enteringB + localB
            }
        }
        let carried = UncheckedPointer(carry.pointer)
        DispatchQueue.concurrentPerform(iterations: chunks - 1) { index in
            let c = index + 1, aOut = buffers.a, bOut = buffers.b, carry = carried.pointer
            for t in bounds[c]..<bounds[c + 1] {
                for lane in 0..<lanes {
                    let localA = aOut[t * lanes + lane]
                    bOut[t * lanes + lane] += localA * carry[(c * 2 + 1) * lanes + lane]
                    aOut[t * lanes + lane] = localA * carry[c * 2 * lanes + lane]
                }
            }
        }
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize
        if let scanA = workspace.scanA, let scanB = workspace.scanB {
            let h0 = states.h(0), hNext = states.h(t + 1), a = scanA[t * n * h], b = scanB[t * n * h]
            for i in 0..<n * h { hNext[i] = a[i] * h0[i] + b[i] }
            return
        }
        let a = workspace.projection[t * n * 2 * h], gate = workspace.gate[t * n * h]
        let hPrev = states.h(t), hNext = states.h(t + 1)
        for b in 0..<n { (gate + b * h).update(from: a + b * 2 * h, count: h) }
        gateActivation.apply(gate, count: n * h)
        for b in 0..<n {
            for j in 0..<h {
                let z = gate[b * h + j]
                hNext[b * h + j] = (1 - z) * hPrev[b * h + j] + z * a[b * 2 * h + h + j]
            }
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

    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize
        let a = workspace.projection[t * n * 2 * h], gate = workspace.gate[t * n * h]
        let hPrev = states.h(t), dh = gradient.h(0)
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

    public func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                               workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                               parameterGradients: inout ParameterSet<Scalar>) {
        let rows = workspace.steps * workspace.batch, h = hiddenSize
        let da = workspace.projection.pointer, e = parameters.entries
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

/// The scan's buffers, shared by the chunks: each chunk writes only its own steps.
private struct ScanBuffers<Scalar: TensorScalar>: @unchecked Sendable {
    let projection: UnsafeMutablePointer<Scalar>
    let gate: UnsafeMutablePointer<Scalar>
    let a: UnsafeMutablePointer<Scalar>
    let b: UnsafeMutablePointer<Scalar>
}

private struct UncheckedPointer<Scalar>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Scalar>
    init(_ pointer: UnsafeMutablePointer<Scalar>) { self.pointer = pointer }
}
