@testable import GRULabCells
import GRULabTensor
import Testing

/// `SmallAffine`'s kernel against the definition summed in Double: every input count it
/// specialises (1 ... 8), outputs of one lane, fewer than a vector, a whole number of vectors
/// and a partial last vector (13 and 37: 8 + 5 and 32 + 5 floats, 12 + 1 and 36 + 1 doubles),
/// every matrix inside wider rows; and a row's result does not depend on the rows it is
/// computed with.
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

    @Test(arguments: shapes) func floatMatchesTheDefinition(shape: Shape) {
        check(Float.self, shape, tolerance: 1e-6)
    }

    @Test(arguments: shapes) func doubleMatchesTheDefinition(shape: Shape) {
        check(Double.self, shape, tolerance: 1e-15)
    }

    @Test(arguments: [Shape(rows: 7, inputs: 2, outputs: 37), Shape(rows: 5, inputs: 8, outputs: 256)])
    func rowsGiveTheSameBitsInAnyGrouping(shape: Shape) {
        grouping(Float.self, shape)
        grouping(Double.self, shape)
    }

    /// Strides one to three elements wider than the rows; what lies between rows must stay.
    struct Case<Scalar: TensorScalar> {
        let s: Shape
        let xStride: Int, wStride: Int, yStride: Int
        let x: [Scalar], wt: [Scalar], bias: [Scalar]
        var y: [Scalar]

        init(_ s: Shape, seed: UInt64) {
            self.s = s
            var g = SeededGenerator(seed: seed)
            func random(_ count: Int) -> [Scalar] { (0..<count).map { _ in g.uniform(-1, 1) } }
            (xStride, wStride, yStride) = (s.inputs + 1, s.outputs + 2, s.outputs + 3)
            x = random(s.rows * xStride)
            wt = random(s.inputs * wStride)
            bias = random(s.outputs)
            y = random(s.rows * yStride)
        }

        mutating func run(_ rows: Range<Int>) {
            let (s, xs, ws, ys) = (s, xStride, wStride, yStride)
            let (x, wt, bias) = (x, wt, bias)
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    SmallAffine.apply(rows: rows.count, inputs: s.inputs, outputs: s.outputs,
                                      x: x.baseAddress! + rows.lowerBound * xs, xStride: xs, weightT: wt,
                                      weightStride: ws, bias: bias, y: y.baseAddress! + rows.lowerBound * ys,
                                      yStride: ys)
                }
            }
        }
    }

    func check<Scalar: TensorScalar>(_: Scalar.Type, _ s: Shape, tolerance: Double) {
        let before = Case<Scalar>(s, seed: 31)
        var after = before
        after.run(0..<s.rows)
        var y = before.y.map(Double.init)
        for r in 0..<s.rows {
            for o in 0..<s.outputs {
                y[r * before.yStride + o] = (0..<s.inputs).reduce(Double(before.bias[o])) {
                    $0 + Double(before.x[r * before.xStride + $1]) * Double(before.wt[$1 * before.wStride + o])
                }
            }
        }
        expectClose(after.y, y, tolerance, "y")
    }

    /// All rows at once, one row at a time, and in two uneven groups.
    func grouping<Scalar: TensorScalar>(_: Scalar.Type, _ s: Shape) {
        var whole = Case<Scalar>(s, seed: 32), single = whole, split = whole
        whole.run(0..<s.rows)
        for r in 0..<s.rows { single.run(r..<r + 1) }
        split.run(0..<2)
        split.run(2..<s.rows)
        #expect(single.y == whole.y && split.y == whole.y)
    }
}
