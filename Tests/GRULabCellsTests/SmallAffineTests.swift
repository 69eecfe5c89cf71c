@testable import GRULabCells
import GRULabTensor
import Testing

/// `SmallAffine`'s kernels against the definition summed in Double: every input count the
/// kernels specialise (1 ... 8), outputs of one lane, fewer than a vector, a whole number of
/// vectors and a partial last vector (13 and 37: 8 + 5 and 32 + 5 floats, 12 + 1 and 36 + 1
/// doubles), all matrices inside wider rows; and a row's results do not depend on the rows it
/// is computed with.
@Suite struct SmallAffineTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        let rows: Int, inputs: Int, outputs: Int
        var testDescription: String { "\(rows) x \(inputs) -> \(outputs)" }
    }

    static let shapes = [
        Shape(rows: 5, inputs: 1, outputs: 1), Shape(rows: 7, inputs: 2, outputs: 13),
        Shape(rows: 4, inputs: 3, outputs: 256), Shape(rows: 3, inputs: 4, outputs: 37),
        Shape(rows: 6, inputs: 5, outputs: 8), Shape(rows: 2, inputs: 6, outputs: 3),
        Shape(rows: 9, inputs: 7, outputs: 16), Shape(rows: 3, inputs: 8, outputs: 37),
    ]

    @Test(arguments: shapes) func floatKernelsMatchTheDefinition(shape: Shape) {
        check(Float.self, shape, tolerance: 1e-5)
    }

    @Test(arguments: shapes) func doubleKernelsMatchTheDefinition(shape: Shape) {
        check(Double.self, shape, tolerance: 1e-13)
    }

    @Test(arguments: [Shape(rows: 7, inputs: 2, outputs: 37), Shape(rows: 5, inputs: 8, outputs: 256)])
    func rowsGiveTheSameBitsInAnyGrouping(shape: Shape) {
        grouping(Float.self, shape)
        grouping(Double.self, shape)
    }

    /// Strides one to three elements wider than the rows; what lies between rows must stay.
    struct Case<Scalar: TensorScalar> {
        let s: Shape
        let xStride: Int, wStride: Int, yStride: Int, dxStride: Int
        var x: [Scalar], wt: [Scalar], bias: [Scalar], dy: [Scalar]
        var y: [Scalar], dx: [Scalar], dwt: [Scalar], dBias: [Scalar]

        init(_ s: Shape, seed: UInt64) {
            self.s = s
            var g = SeededGenerator(seed: seed)
            func random(_ count: Int) -> [Scalar] { (0..<count).map { _ in g.uniform(-1, 1) } }
            (xStride, wStride, yStride, dxStride) = (s.inputs + 1, s.outputs + 2, s.outputs + 3, s.inputs + 2)
            x = random(s.rows * xStride)
            wt = random(s.inputs * wStride)
            bias = random(s.outputs)
            dy = random(s.rows * yStride)
            y = random(s.rows * yStride)
            dx = random(s.rows * dxStride)
            dwt = random(s.inputs * wStride)
            dBias = random(s.outputs)
        }

        /// Rows `rows` forward into `y` and backward from `dy`.
        mutating func run(_ rows: Range<Int>) {
            let s = self.s, (xs, ws, ys, dxs) = (xStride, wStride, yStride, dxStride)
            let (first, count) = (rows.lowerBound, rows.count)
            let (x, wt, bias, dy) = (x, wt, bias, dy)
            x.withUnsafeBufferPointer { x in
                wt.withUnsafeBufferPointer { wt in
                    bias.withUnsafeBufferPointer { bias in
                        y.withUnsafeMutableBufferPointer { y in
                            SmallAffine.apply(rows: count, inputs: s.inputs, outputs: s.outputs,
                                              x: x.baseAddress! + first * xs, xStride: xs, weightT: wt.baseAddress!,
                                              weightStride: ws, bias: bias.baseAddress!,
                                              y: y.baseAddress! + first * ys, yStride: ys)
                        }
                    }
                    dy.withUnsafeBufferPointer { dy in
                        dx.withUnsafeMutableBufferPointer { dx in
                            dwt.withUnsafeMutableBufferPointer { dwt in
                                dBias.withUnsafeMutableBufferPointer { dBias in
                                    SmallAffine.backward(rows: count, inputs: s.inputs, outputs: s.outputs,
                                                         x: x.baseAddress! + first * xs, xStride: xs,
                                                         dy: dy.baseAddress! + first * ys, dyStride: ys,
                                                         weightT: wt.baseAddress!, weightStride: ws,
                                                         dx: dx.baseAddress! + first * dxs, dxStride: dxs,
                                                         dWeightT: dwt.baseAddress!, dWeightStride: ws,
                                                         dBias: dBias.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func check<Scalar: TensorScalar>(_: Scalar.Type, _ s: Shape, tolerance: Double) {
        let before = Case<Scalar>(s, seed: 31)
        var after = before
        after.run(0..<s.rows)
        func d(_ v: [Scalar]) -> [Double] { v.map(Double.init) }
        let (x, wt, dy) = (d(before.x), d(before.wt), d(before.dy))
        var y = d(before.y), dx = d(before.dx), dwt = d(before.dwt), dBias = d(before.dBias)
        for r in 0..<s.rows {
            for o in 0..<s.outputs {
                y[r * before.yStride + o] = Double(before.bias[o])
                    + (0..<s.inputs).reduce(0) { $0 + x[r * before.xStride + $1] * wt[$1 * before.wStride + o] }
                dBias[o] += dy[r * before.yStride + o]
            }
            for i in 0..<s.inputs {
                dx[r * before.dxStride + i] = (0..<s.outputs).reduce(0) {
                    $0 + dy[r * before.yStride + $1] * wt[i * before.wStride + $1]
                }
                for o in 0..<s.outputs {
                    dwt[i * before.wStride + o] += x[r * before.xStride + i] * dy[r * before.yStride + o]
                }
            }
        }
        expectClose(after.y, y, tolerance, "y")
        expectClose(after.dx, dx, tolerance, "dx")
        expectClose(after.dwt, dwt, tolerance, "dwt")
        expectClose(after.dBias, dBias, tolerance, "dBias")
    }

    /// All rows at once, and one row at a time, and in two uneven groups.
    func grouping<Scalar: TensorScalar>(_: Scalar.Type, _ s: Shape) {
        var whole = Case<Scalar>(s, seed: 32), single = whole, split = whole
        whole.run(0..<s.rows)
        for r in 0..<s.rows { single.run(r..<r + 1) }
        split.run(0..<2)
        split.run(2..<s.rows)
        for other in [single, split] {
            #expect(other.y == whole.y && other.dx == whole.dx)
            #expect(other.dwt == whole.dwt && other.dBias == whole.dBias)
        }
    }

    /// The largest difference, relative to the largest expected magnitude.
    func expectClose<Scalar: TensorScalar>(_ actual: [Scalar], _ expected: [Double], _ tolerance: Double,
                                           _ name: String) {
        let scale = max(expected.map(abs).max() ?? 0, 1)
        let error = zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(error / scale <= tolerance, "\(name): error \(error) at scale \(scale)")
    }
}
