import GRULabTensor

/// The parameter layout PyTorch's recurrent modules share, for a cell with `G` gate blocks:
/// `weight_ih` `[G*H, C]`, `weight_hh` `[G*H, H]`, `bias_ih` `[G*H]`, `bias_hh` `[G*H]`, in
/// that order in the ``ParameterSet``, each gate's rows a block of the stacked matrix.
public struct PackedGateWeights<Scalar: TensorScalar>: GateWeights {
    public let gates: Int
    public let inputSize: Int
    public let hiddenSize: Int
    public var biasWidth: Int { hiddenSize }

    public init(gates: Int, inputSize: Int, hiddenSize: Int, options: CellOptions = .init()) {
        self.gates = gates
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
    }

    public func initialParameters(_ initializer: CellInitializer,
                                  using generator: inout SeededGenerator) -> ParameterSet<Scalar> {
        initializer.parameters(
            [("weight_ih", [width, inputSize], .input), ("weight_hh", [width, hiddenSize], .recurrent),
             ("bias_ih", [width], .bias), ("bias_hh", [width], .bias)],
            hiddenSize: hiddenSize, using: &generator)
    }

    public func makeScratch(batch: Int) -> RecurrentPanels<Scalar> { RecurrentPanels() }

    private var recurrentOffset: Int { width * inputSize }
    private var biasOffset: Int { recurrentOffset + width * hiddenSize }

    private func withLayout<R>(
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

    public func project(_ parameters: ParameterSet<Scalar>, input: UnsafePointer<Scalar>, rows: Int,
                        into projection: UnsafeMutablePointer<Scalar>, foldRecurrentBias: Bool, scratch: RecurrentPanels<Scalar>) {
        withLayout(parameters) { wih, _, bih, bhh in
            var bias = Array(UnsafeBufferPointer(start: bih, count: width))
            if foldRecurrentBias { Scalar.axpy(count: width, alpha: 1, x: bhh, y: &bias) }
            guard inputSize <= SmallAffine<Scalar>.maxInputs else {
                wih.apply(rows: rows, x: input, xStride: inputSize, bias: bias, y: projection, yStride: width)
                return
            }
            // few inputs: one pass writing each output once, where BLAS would write the bias rows,
            // pack a skinny operand and add the product onto them
            var transposed = [Scalar](repeating: 0, count: inputSize * width)
            for o in 0..<width {
                for i in 0..<inputSize { transposed[i * width + o] = wih.weight[o * inputSize + i] }
            }
            SmallAffine.apply(rows: rows, inputs: inputSize, outputs: width, x: input, xStride: inputSize,
                              weightT: transposed, weightStride: width, bias: bias, y: projection, yStride: width)
        }
    }

    public func recurrent(_ parameters: ParameterSet<Scalar>, gates range: Range<Int>, h: UnsafePointer<Scalar>,
                          rows: Int, into y: UnsafeMutablePointer<Scalar>, addingBias: Bool, accumulate: Bool,
                          scratch: RecurrentPanels<Scalar>) {
        withLayout(parameters) { _, whh, _, bhh in
            let block = range.lowerBound * hiddenSize, y = y + block, count = range.count * hiddenSize
            let product = whh.rows(block, count: count)
            if let panels = scratch.panels(product, gates: range, transposed: false) {
                panels.apply(rows: rows, x: h, xStride: hiddenSize, y: y, yStride: width,
                             bias: addingBias ? bhh + block : nil, accumulate: accumulate)
            } else if addingBias && !accumulate {
                product.apply(rows: rows, x: h, xStride: hiddenSize, bias: bhh + block, y: y, yStride: width)
            } else {
                product.apply(rows: rows, x: h, xStride: hiddenSize, y: y, yStride: width, accumulate: accumulate)
                if addingBias { addBias(bhh + block, count: count, rows: rows, to: y, stride: width) }
            }
        }
    }

    public func recurrentBackward(_ parameters: ParameterSet<Scalar>, gates range: Range<Int>,
                                  dy: UnsafePointer<Scalar>, rows: Int, dh: UnsafeMutablePointer<Scalar>,
                                  accumulate: Bool, scratch: RecurrentPanels<Scalar>) {
        withLayout(parameters) { _, whh, _, _ in
            let block = range.lowerBound * hiddenSize
            let product = whh.rows(block, count: range.count * hiddenSize)
            if let panels = scratch.panels(product, gates: range, transposed: true) {
                panels.apply(rows: rows, x: dy + block, xStride: width, y: dh, yStride: hiddenSize, bias: nil,
                             accumulate: accumulate)
            } else {
                product.backwardInput(rows: rows, dy: dy + block, dyStride: width, dx: dh, dxStride: hiddenSize,
                                      accumulate: accumulate)
            }
        }
    }

    public func finishBackward(
        _ parameters: ParameterSet<Scalar>, rows: Int, input: UnsafePointer<Scalar>,
        recurrentOperands: [(gates: Range<Int>, operand: UnsafePointer<Scalar>)],
        inputProjectionGradient dxp: UnsafePointer<Scalar>, recurrentProjectionGradient dhp: UnsafePointer<Scalar>,
        inputGradient: UnsafeMutablePointer<Scalar>, parameterGradients: inout ParameterSet<Scalar>, scratch: RecurrentPanels<Scalar>
    ) {
        withLayout(parameters) { wih, whh, _, _ in
            wih.backwardInput(rows: rows, dy: dxp, dyStride: width, dx: inputGradient, dxStride: inputSize,
                              accumulate: false)
            parameterGradients.withUnsafeMutableBufferPointer { grads in
                let base = grads.baseAddress!
                wih.accumulateWeightGradient(rows: rows, x: input, xStride: inputSize, dy: dxp, dyStride: width,
                                             dWeight: base)
                for (range, operand) in recurrentOperands {
                    let block = range.lowerBound * hiddenSize
                    whh.rows(block, count: range.count * hiddenSize)
                        .accumulateWeightGradient(rows: rows, x: operand, xStride: hiddenSize, dy: dhp + block,
                                                  dyStride: width, dWeight: base + recurrentOffset + block * hiddenSize)
                }
                accumulateBiasGradient(rows: rows, dy: dxp, stride: width, count: width, dBias: base + biasOffset)
                accumulateBiasGradient(rows: rows, dy: dhp, stride: width, count: width,
                                       dBias: base + biasOffset + width)
            }
        }
    }
}
