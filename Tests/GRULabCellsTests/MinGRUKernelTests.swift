@testable import GRULabCells
import GRULabTensor
import Testing
import _GRULabKernels

/// `grulab_mingru_forward` and `grulab_mingru_backward` (through `MinGRUCell.smallInputForward`
/// and `smallInputBackward`) against the definition in Double, for every gate activation and
/// input count they specialise: units of one lane, fewer than a vector and a partial last
/// vector, many rows; gates of exactly 0 and 1, where hard-sigmoid's and relu's derivatives
/// switch; and a row's results do not depend on the rows it is computed with.
@Suite struct MinGRUKernelTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        let rows: Int, inputs: Int, hidden: Int
        var testDescription: String { "\(rows) rows, C = \(inputs), H = \(hidden)" }
    }

    static let shapes = [
        Shape(rows: 5, inputs: 1, hidden: 1), Shape(rows: 7, inputs: 2, hidden: 13),
        Shape(rows: 3, inputs: 3, hidden: 37), Shape(rows: 4, inputs: 4, hidden: 16),
        Shape(rows: 33, inputs: 2, hidden: 5), Shape(rows: 2, inputs: 5, hidden: 128),
        Shape(rows: 6, inputs: 6, hidden: 9), Shape(rows: 3, inputs: 7, hidden: 4),
        Shape(rows: 70, inputs: 8, hidden: 11),
    ]

    @Test(arguments: Activation.allCases, shapes)
    func floatMatchesTheDefinition(gate: Activation, shape: Shape) {
        check(Float.self, gate, shape, tolerance: 1e-5)
    }

    @Test(arguments: Activation.allCases, shapes)
    func doubleMatchesTheDefinition(gate: Activation, shape: Shape) {
        check(Double.self, gate, shape, tolerance: 1e-13)
    }

    @Test(arguments: shapes) func forwardMatchesTheDefinition(shape: Shape) {
        forward(Float.self, shape, tolerance: 1e-6)
        forward(Double.self, shape, tolerance: 1e-15)
    }

    @Test(arguments: Activation.allCases) func rowsGiveTheSameBitsInAnyGrouping(gate: Activation) {
        grouping(Float.self, gate, Shape(rows: 40, inputs: 2, hidden: 37))
        grouping(Double.self, gate, Shape(rows: 40, inputs: 3, hidden: 21))
    }

    struct Case<Scalar: TensorScalar> {
        let s: Shape, gate: Activation
        let x: [Scalar], z: [Scalar], hPrev: [Scalar], packed: [Scalar]
        var dh: [Scalar], dx: [Scalar], dPacked: [Scalar]

        init(_ s: Shape, _ gate: Activation, seed: UInt64) {
            (self.s, self.gate) = (s, gate)
            var g = SeededGenerator(seed: seed)
            func random(_ count: Int, _ low: Double = -1) -> [Scalar] {
                (0..<count).map { _ in Scalar(g.uniform(low, 1) as Double) }
            }
            let units = s.rows * s.hidden
            x = random(s.rows * s.inputs)
            // a gate's output, some exactly 0 or 1
            z = random(units, 0).enumerated().map { $0.offset % 7 == 3 ? 0 : $0.offset % 7 == 5 ? 1 : $0.element }
            hPrev = random(units)
            packed = random((s.inputs + 1) * 2 * s.hidden)
            dh = random(units)
            dx = random(s.rows * s.inputs)
            dPacked = random(packed.count)
        }

        mutating func run(_ rows: Range<Int>) {
            let (s, gate, first) = (s, gate, rows.lowerBound)
            // one element past an aligned start, so the kernel has to align its blocks itself
            let count = Int(grulab_mingru_backward_work_count(Int64(s.inputs), Int64(s.hidden)))
            let work = Buffer<Scalar>(count: count + 1)
            let (x, z, hPrev, packed) = (x, z, hPrev, packed)
            x.withUnsafeBufferPointer { x in
                z.withUnsafeBufferPointer { z in
                    hPrev.withUnsafeBufferPointer { hPrev in
                        dh.withUnsafeMutableBufferPointer { dh in
                            dx.withUnsafeMutableBufferPointer { dx in
                                dPacked.withUnsafeMutableBufferPointer { dPacked in
                                    MinGRUCell<Scalar>.smallInputBackward(
                                        rows: rows.count, inputs: s.inputs, hidden: s.hidden, gate: gate,
                                        x: x.baseAddress! + first * s.inputs, z: z.baseAddress! + first * s.hidden,
                                        hPrev: hPrev.baseAddress! + first * s.hidden,
                                        dh: dh.baseAddress! + first * s.hidden, packed: packed,
                                        dx: dx.baseAddress! + first * s.inputs, dPacked: dPacked.baseAddress!,
                                        work: work.pointer + 1)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func check<Scalar: TensorScalar>(_: Scalar.Type, _ gate: Activation, _ s: Shape, tolerance: Double) {
        let before = Case<Scalar>(s, gate, seed: 41)
        var after = before
        after.run(0..<s.rows)
        func d(_ v: [Scalar]) -> [Double] { v.map(Double.init) }
        let (x, z, hPrev, packed) = (d(before.x), d(before.z), d(before.hPrev), d(before.packed))
        var dh = d(before.dh), dx = d(before.dx), dPacked = d(before.dPacked)
        let (c, h) = (s.inputs, s.hidden)
        for r in 0..<s.rows {
            for i in 0..<c { dx[r * c + i] = 0 }
            for j in 0..<h {
                let u = r * h + j
                let candidate = (0..<c).reduce(packed[c * 2 * h + h + j]) { $0 + x[r * c + $1] * packed[$1 * 2 * h + h + j] }
                let daz = dh[u] * (candidate - hPrev[u]) * gate.derivative(output: z[u]), dah = dh[u] * z[u]
                dh[u] *= 1 - z[u]
                dPacked[c * 2 * h + j] += daz
                dPacked[c * 2 * h + h + j] += dah
                for i in 0..<c {
                    dPacked[i * 2 * h + j] += x[r * c + i] * daz
                    dPacked[i * 2 * h + h + j] += x[r * c + i] * dah
                    dx[r * c + i] += packed[i * 2 * h + j] * daz + packed[i * 2 * h + h + j] * dah
                }
            }
        }
        expectClose(after.dh, dh, tolerance, "dh")
        expectClose(after.dx, dx, tolerance, "dx")
        expectClose(after.dPacked, dPacked, tolerance, "dPacked")
    }

    /// One step forward from `Case`'s x, z (as the gate), h_prev and packed weights, with all
    /// rows at once, and one row at a time.
    func forward<Scalar: TensorScalar>(_: Scalar.Type, _ s: Shape, tolerance: Double) {
        let c = Case<Scalar>(s, .sigmoid, seed: 43)
        func run(_ groups: [Range<Int>]) -> [Scalar] {
            var h = [Scalar](repeating: .nan, count: s.rows * s.hidden)
            c.x.withUnsafeBufferPointer { x in
                c.z.withUnsafeBufferPointer { z in
                    c.hPrev.withUnsafeBufferPointer { hPrev in
                        h.withUnsafeMutableBufferPointer { h in
                            for rows in groups {
                                let (first, units) = (rows.lowerBound * s.inputs, rows.lowerBound * s.hidden)
                                MinGRUCell<Scalar>.smallInputForward(
                                    rows: rows.count, inputs: s.inputs, hidden: s.hidden, x: x.baseAddress! + first,
                                    z: z.baseAddress! + units, hPrev: hPrev.baseAddress! + units, packed: c.packed,
                                    h: h.baseAddress! + units)
                            }
                        }
                    }
                }
            }
            return h
        }
        let (whole, single) = (run([0..<s.rows]), run((0..<s.rows).map { $0..<$0 + 1 }))
        #expect(single == whole)
        let (c2, h) = (s.inputs, s.hidden)
        let expected = (0..<s.rows * h).map { u -> Double in
            let (r, j) = u.quotientAndRemainder(dividingBy: h)
            let candidate = (0..<c2).reduce(Double(c.packed[c2 * 2 * h + h + j])) {
                $0 + Double(c.x[r * c2 + $1]) * Double(c.packed[$1 * 2 * h + h + j])
            }
            let z = Double(c.z[u])
            return (1 - z) * Double(c.hPrev[u]) + z * candidate
        }
        expectClose(whole, expected, tolerance, "h")
    }

    /// All rows at once, one row at a time, and in two uneven groups.
    func grouping<Scalar: TensorScalar>(_: Scalar.Type, _ gate: Activation, _ s: Shape) {
        var whole = Case<Scalar>(s, gate, seed: 42), single = whole, split = whole
        whole.run(0..<s.rows)
        for r in 0..<s.rows { single.run(r..<r + 1) }
        split.run(0..<5)
        split.run(5..<s.rows)
        for other in [single, split] {
            #expect(other.dh == whole.dh && other.dx == whole.dx && other.dPacked == whole.dPacked)
        }
    }
}
