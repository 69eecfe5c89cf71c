@testable import GRULabCells
import GRULabTensor
import Testing

/// The packed recurrent product against the definition summed in Double: rows that fill tiles of
/// 6 and leave 1 to 5 over, outputs that fill panels of 16 and leave a partial one, a gate block
/// of a wider weight, operands inside wider rows, written, accumulated and with a bias, in both
/// directions (`h W^T` and `dy W`).
@Suite struct RecurrentPanelsTests {
    @Test(arguments: [(1, 1, 1), (6, 16, 8), (13, 33, 7), (17, 48, 64), (5, 15, 130)])
    func packedProductsMatchTheDefinition(rows: Int, outputs: Int, inner: Int) {
        var g = SeededGenerator(seed: 3)
        let (gates, first) = (2, outputs)  // the weight holds two blocks of `outputs` rows; use the second
        let weight = (0..<gates * outputs * inner).map { _ in Float(g.uniform(-1.0, 1.0)) }
        let bias = (0..<outputs).map { _ in Float(g.uniform(-1.0, 1.0)) }
        let panels = RecurrentPanels<Float>()
        weight.withUnsafeBufferPointer { w in
            let linear = Linear(weight: w.baseAddress!, inFeatures: inner, outFeatures: gates * outputs).rows(first, count: outputs)
            for transposed in [false, true] {
                let (width, depth) = transposed ? (inner, outputs) : (outputs, inner)
                let (xStride, yStride) = (depth + 3, width + 2)
                let x = (0..<rows * xStride).map { _ in Float(g.uniform(-1.0, 1.0)) }
                let start = (0..<rows * yStride).map { _ in Float(g.uniform(-1.0, 1.0)) }
                let packed = panels.panels(linear, gates: 1..<2, transposed: transposed)!
                #expect(panels.panels(linear, gates: 1..<2, transposed: transposed) === packed)  // packed once
                for (accumulate, withBias) in [(false, false), (true, false), (false, true), (true, true)]
                where !(transposed && withBias) {
                    var y = start
                    x.withUnsafeBufferPointer { x in
                        bias.withUnsafeBufferPointer { b in
                            y.withUnsafeMutableBufferPointer { y in
                                packed.apply(rows: rows, x: x.baseAddress!, xStride: xStride, y: y.baseAddress!,
                                             yStride: yStride, bias: withBias ? b.baseAddress! : nil, accumulate: accumulate)
                            }
                        }
                    }
                    for r in 0..<rows {
                        for o in 0..<width {
                            var sum = (accumulate ? Double(start[r * yStride + o]) : 0) + (withBias ? Double(bias[o]) : 0)
                            for i in 0..<depth {
                                let w = transposed ? weight[(first + i) * inner + o] : weight[(first + o) * inner + i]
                                sum += Double(x[r * xStride + i]) * Double(w)
                            }
                            #expect(abs(Double(y[r * yStride + o]) - sum) <= 1e-5 * Double(depth + 2),
                                    "row \(r), output \(o), transposed \(transposed)")
                        }
                        for o in width..<yStride { #expect(y[r * yStride + o] == start[r * yStride + o]) }  // untouched
                    }
                }
            }
        }
    }

    @Test func aDoublePassHasNoPanels() {
        let weight = [Double](repeating: 1, count: 12)
        weight.withUnsafeBufferPointer { w in
            #expect(RecurrentPanels<Double>().panels(Linear(weight: w.baseAddress!, inFeatures: 3, outFeatures: 4),
                                                     gates: 0..<1, transposed: false) == nil)
        }
    }
}

/// The input projection of the stacked layout against its definition, with few inputs (its own
/// kernel) and with many (BLAS), the recurrent bias folded in or not.
@Suite struct PackedGateWeightsTests {
    @Test(arguments: [3, 8, 12])
    func theInputProjectionIsItsDefinition(inputs: Int) {
        var g = SeededGenerator(seed: 8)
        let weights = PackedGateWeights<Float>(gates: 3, inputSize: inputs, hiddenSize: 5)
        let parameters = weights.initialParameters(CellInitializer(), using: &g)
        let rows = 7, width = 15
        let x = (0..<rows * inputs).map { _ in Float(g.uniform(-1.0, 1.0)) }
        let (wih, bih, bhh) = (parameters.tensor(at: 0).scalars, parameters.tensor(at: 2).scalars, parameters.tensor(at: 3).scalars)
        for fold in [false, true] {
            var y = [Float](repeating: .nan, count: rows * width)
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    weights.project(parameters, input: x.baseAddress!, rows: rows, into: y.baseAddress!,
                                    foldRecurrentBias: fold, scratch: weights.makeScratch(batch: rows))
                }
            }
            for r in 0..<rows {
                for o in 0..<width {
                    var sum = Double(bih[o]) + (fold ? Double(bhh[o]) : 0)
                    for i in 0..<inputs { sum += Double(x[r * inputs + i]) * Double(wih[o * inputs + i]) }
                    #expect(abs(Double(y[r * width + o]) - sum) <= 1e-6, "inputs \(inputs), row \(r), output \(o)")
                }
            }
        }
    }
}
