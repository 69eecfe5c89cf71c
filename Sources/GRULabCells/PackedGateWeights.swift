import GRULabTensor

/// The parameter layout PyTorch's recurrent modules share, for a cell with `G` gate blocks:
/// `weight_ih` `[G*H, C]`, `weight_hh` `[G*H, H]`, `bias_ih` `[G*H]`, `bias_hh` `[G*H]`, in
/// that order in the ``ParameterSet``; and the parts of the forward and backward passes that
/// depend only on that layout.
struct PackedGateWeights {
    let gates: Int
    let inputSize: Int
    let hiddenSize: Int

    var width: Int { gates * hiddenSize }

    func specs() -> [(name: String, shape: [Int], role: CellInitializer.Role)] {
        [("weight_ih", [width, inputSize], .input), ("weight_hh", [width, hiddenSize], .recurrent),
         ("bias_ih", [width], .bias), ("bias_hh", [width], .bias)]
    }

    private var recurrentOffset: Int { width * inputSize }
    private var biasOffset: Int { recurrentOffset + width * hiddenSize }

    func withLayout<Scalar: TensorScalar, R>(
        _ parameters: ParameterSet<Scalar>,
        _ body: (_ wih: Linear<Scalar>, _ whh: Linear<Scalar>,
                 _ bih: UnsafePointer<Scalar>, _ bhh: UnsafePointer<Scalar>) -> R
    ) -> R {
        parameters.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            return body(Linear(weight: base, inFeatures: inputSize, outFeatures: width),
                        Linear(weight: base + recurrentOffset, inFeatures: hiddenSize, outFeatures: width),
                        base + biasOffset, base + biasOffset + width)
        }
    }

    /// `projection = x W_ih^T + b_ih` (`+ b_hh` too when `foldRecurrentBias`) for all `rows`.
    func project<Scalar: TensorScalar>(_ parameters: ParameterSet<Scalar>, input: UnsafePointer<Scalar>,
                                       rows: Int, into projection: UnsafeMutablePointer<Scalar>,
                                       foldRecurrentBias: Bool) {
        withLayout(parameters) { wih, _, bih, bhh in
            wih.apply(rows: rows, x: input, xStride: inputSize, y: projection, yStride: width)
            addBias(bih, count: width, rows: rows, to: projection, stride: width)
            if foldRecurrentBias { addBias(bhh, count: width, rows: rows, to: projection, stride: width) }
        }
    }

    /// `y = h W_hh^T (+ b_hh)` (or `y += …` when `accumulate`) for one step's `rows`.
    func recurrent<Scalar: TensorScalar>(_ parameters: ParameterSet<Scalar>, h: UnsafePointer<Scalar>,
                                         rows: Int, into y: UnsafeMutablePointer<Scalar>,
                                         addingBias: Bool, accumulate: Bool) {
        withLayout(parameters) { _, whh, _, bhh in
            whh.apply(rows: rows, x: h, xStride: hiddenSize, y: y, yStride: width, accumulate: accumulate)
            if addingBias { addBias(bhh, count: width, rows: rows, to: y, stride: width) }
        }
    }

    /// `dh (+)= dy W_hh` for one step.
    func recurrentBackward<Scalar: TensorScalar>(_ parameters: ParameterSet<Scalar>, dy: UnsafePointer<Scalar>,
                                                 rows: Int, dh: UnsafeMutablePointer<Scalar>, accumulate: Bool) {
        withLayout(parameters) { _, whh, _, _ in
            whh.backwardInput(rows: rows, dy: dy, dyStride: width, dx: dh, dxStride: hiddenSize,
                              accumulate: accumulate)
        }
    }

    /// After the backward loop: `dx = dXP W_ih`, and the four parameter gradients from the
    /// gradients of the input projections `dXP` and of the recurrent projections `dHP`
    /// (`[T*N, G*H]` each; the same buffer for cells whose biases are interchangeable), with
    /// `hPrev` the states the recurrent products read (`[T*N, H]`).
    func finishBackward<Scalar: TensorScalar>(
        _ parameters: ParameterSet<Scalar>, rows: Int, input: UnsafePointer<Scalar>,
        hPrev: UnsafePointer<Scalar>, inputProjectionGradient dxp: UnsafePointer<Scalar>,
        recurrentProjectionGradient dhp: UnsafePointer<Scalar>,
        inputGradient: UnsafeMutablePointer<Scalar>, parameterGradients: inout ParameterSet<Scalar>
    ) {
        withLayout(parameters) { wih, whh, _, _ in
            wih.backwardInput(rows: rows, dy: dxp, dyStride: width, dx: inputGradient, dxStride: inputSize,
                              accumulate: false)
            parameterGradients.withUnsafeMutableBufferPointer { grads in
                let base = grads.baseAddress!
                wih.accumulateWeightGradient(rows: rows, x: input, xStride: inputSize, dy: dxp, dyStride: width,
                                             dWeight: base)
                whh.accumulateWeightGradient(rows: rows, x: hPrev, xStride: hiddenSize, dy: dhp, dyStride: width,
                                             dWeight: base + recurrentOffset)
                accumulateBiasGradient(rows: rows, dy: dxp, stride: width, count: width, dBias: base + biasOffset)
                accumulateBiasGradient(rows: rows, dy: dhp, stride: width, count: width,
                                       dBias: base + biasOffset + width)
            }
        }
    }
}
