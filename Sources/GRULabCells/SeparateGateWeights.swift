import GRULabTensor

/// Where each of a GRU's three gates (r, z, candidate) finds its weights when every gate has
/// matrices of its own, stored `[in, out]` as d2l.ai does: ``D2LGRUCell``, ``CellStateGRUCell``.
/// A new layout is a new conforming type.
public protocol SeparateGateLayout: Sendable {
    /// The parameters in ``ParameterSet`` order, weights stored `[in, out]`.
    static func parameterSpecs(inputSize: Int, hiddenSize: Int) -> [(name: String, shape: [Int], role: CellInitializer.Role)]
    /// For the gates r, z and the candidate, in that order: the position of the input weight,
    /// the first row of its `x` part (for weights that stack `[h, x]` rows), the position of the
    /// recurrent weight, and of the bias, if any.
    static func gateLayout(hiddenSize: Int) -> [(inputWeight: Int, inputRowOffset: Int, recurrentWeight: Int, bias: Int?)]
}

/// ``GateWeights`` of three gates with separate `[in, out]` matrices and at most one bias
/// each, placed by a ``SeparateGateLayout``. The bias joins the input products.
public struct SeparateGateWeights<Scalar: TensorScalar, Layout: SeparateGateLayout>: GateWeights {
    public var gates: Int { 3 }
    public let inputSize: Int
    public let hiddenSize: Int
    public var biasWidth: Int { hiddenSize }

    public init(gates: Int, inputSize: Int, hiddenSize: Int, options: CellOptions) {
        precondition(gates == 3, "a separate-gate layout places three gates")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
    }

    public func initialParameters(_ initializer: CellInitializer,
                                  using generator: inout SeededGenerator) -> ParameterSet<Scalar> {
        initializer.parameters(Layout.parameterSpecs(inputSize: inputSize, hiddenSize: hiddenSize),
                               hiddenSize: hiddenSize, using: &generator)
    }

    public func makeScratch(batch: Int) {}

    private func linears<R>(
        _ parameters: ParameterSet<Scalar>,
        _ body: (_ input: [Linear<Scalar>], _ recurrent: [Linear<Scalar>], _ bias: [UnsafePointer<Scalar>?]) -> R
    ) -> R {
        parameters.withUnsafeBufferPointer { p in
            let base = p.baseAddress!, e = parameters.entries, h = hiddenSize
            let layout = Layout.gateLayout(hiddenSize: h)
            return body(
                layout.map { Linear(weight: base + e[$0.inputWeight].offset + $0.inputRowOffset * h,
                                    inFeatures: inputSize, outFeatures: h, outByIn: false) },
                layout.map { Linear(weight: base + e[$0.recurrentWeight].offset, inFeatures: h, outFeatures: h,
                                    outByIn: false) },
                layout.map { $0.bias.map { UnsafePointer(base + e[$0].offset) } })
        }
    }

    public func project(_ parameters: ParameterSet<Scalar>, input: UnsafePointer<Scalar>, rows: Int,
                        into projection: UnsafeMutablePointer<Scalar>, foldRecurrentBias: Bool, scratch: Void) {
        let h = hiddenSize
        linears(parameters) { input_, _, bias in
            for k in 0..<3 {
                let y = projection + k * h
                if let b = bias[k] {
                    input_[k].apply(rows: rows, x: input, xStride: inputSize, bias: b, y: y, yStride: width)
                } else {
                    input_[k].apply(rows: rows, x: input, xStride: inputSize, y: y, yStride: width)
                }
            }
        }
    }

    /// The biases are in the projection; `addingBias` has nothing to add.
    public func recurrent(_ parameters: ParameterSet<Scalar>, gates range: Range<Int>, h: UnsafePointer<Scalar>,
                          rows: Int, into y: UnsafeMutablePointer<Scalar>, addingBias: Bool, accumulate: Bool,
                          scratch: Void) {
        linears(parameters) { _, recurrent, _ in
            for k in range {
                recurrent[k].apply(rows: rows, x: h, xStride: hiddenSize, y: y + k * hiddenSize, yStride: width,
                                   accumulate: accumulate)
            }
        }
    }

    public func recurrentBackward(_ parameters: ParameterSet<Scalar>, gates range: Range<Int>,
                                  dy: UnsafePointer<Scalar>, rows: Int, dh: UnsafeMutablePointer<Scalar>,
                                  accumulate: Bool, scratch: Void) {
        linears(parameters) { _, recurrent, _ in
            for k in range {
                recurrent[k].backwardInput(rows: rows, dy: dy + k * hiddenSize, dyStride: width, dx: dh,
                                           dxStride: hiddenSize, accumulate: accumulate || k > range.lowerBound)
            }
        }
    }

    public func finishBackward(
        _ parameters: ParameterSet<Scalar>, rows: Int, input: UnsafePointer<Scalar>,
        recurrentOperands: [(gates: Range<Int>, operand: UnsafePointer<Scalar>)],
        inputProjectionGradient dxp: UnsafePointer<Scalar>, recurrentProjectionGradient dhp: UnsafePointer<Scalar>,
        inputGradient: UnsafeMutablePointer<Scalar>, parameterGradients: inout ParameterSet<Scalar>, scratch: Void
    ) {
        let h = hiddenSize, entries = parameters.entries, layout = Layout.gateLayout(hiddenSize: h)
        linears(parameters) { input_, recurrent, _ in
            parameterGradients.withUnsafeMutableBufferPointer { grads in
                let base = grads.baseAddress!
                for (k, gate) in layout.enumerated() {
                    input_[k].backwardInput(rows: rows, dy: dxp + k * h, dyStride: width, dx: inputGradient,
                                            dxStride: inputSize, accumulate: k > 0)
                    input_[k].accumulateWeightGradient(
                        rows: rows, x: input, xStride: inputSize, dy: dxp + k * h, dyStride: width,
                        dWeight: base + entries[gate.inputWeight].offset + gate.inputRowOffset * h)
                    if let bias = gate.bias {
                        accumulateBiasGradient(rows: rows, dy: dxp + k * h, stride: width, count: h,
                                               dBias: base + entries[bias].offset)
                    }
                }
                for (range, operand) in recurrentOperands {
                    for k in range {
                        recurrent[k].accumulateWeightGradient(
                            rows: rows, x: operand, xStride: h, dy: dhp + k * h, dyStride: width,
                            dWeight: base + entries[layout[k].recurrentWeight].offset)
                    }
                }
            }
        }
    }
}
