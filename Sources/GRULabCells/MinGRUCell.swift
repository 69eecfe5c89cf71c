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
/// ### References
/// Feng, Tung, Ahmed, Bengio & Hajimirsadeghi 2024, "Were RNNs All We Needed?"
public struct MinGRUCell<Scalar: TensorScalar>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var hasCell: Bool { false }
    public var gateActivation: Activation
    public var parameters: ParameterSet<Scalar>

    public init(inputSize: Int, hiddenSize: Int, gateActivation: Activation = .sigmoid,
                initializer: CellInitializer = .init(), using generator: inout SeededGenerator) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.gateActivation = gateActivation
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
    }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        let rows = steps * batch
        return Workspace(steps: steps, batch: batch, projection: Buffer(count: rows * 2 * hiddenSize),
                         gate: Buffer(count: rows * hiddenSize))
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
            wz.apply(rows: rows, x: input, xStride: inputSize, y: y, yStride: 2 * h)
            addBias(bz, count: h, rows: rows, to: y, stride: 2 * h)
            wh.apply(rows: rows, x: input, xStride: inputSize, y: y + h, yStride: 2 * h)
            addBias(bh, count: h, rows: rows, to: y + h, stride: 2 * h)
        }
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize
        let a = workspace.projection[t * n * 2 * h], gate = workspace.gate[t * n * h]
        let hPrev = states.h(t), hNext = states.h(t + 1), sigma = gateActivation
        for b in 0..<n {
            for j in 0..<h {
                let z = sigma(a[b * 2 * h + j])
                gate[b * h + j] = z
                hNext[b * h + j] = (1 - z) * hPrev[b * h + j] + z * a[b * 2 * h + h + j]
            }
        }
    }

    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        let n = workspace.batch, h = hiddenSize
        let a = workspace.projection[t * n * 2 * h], gate = workspace.gate[t * n * h]
        let hPrev = states.h(t), dh = gradient.h(0), sigma = gateActivation
        for b in 0..<n {
            for j in 0..<h {
                let z = gate[b * h + j], d = dh[b * h + j], candidate = a[b * 2 * h + h + j]
                a[b * 2 * h + j] = d * (candidate - hPrev[b * h + j]) * sigma.derivative(output: z)
                a[b * 2 * h + h + j] = d * z
                dh[b * h + j] = d * (1 - z)
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
