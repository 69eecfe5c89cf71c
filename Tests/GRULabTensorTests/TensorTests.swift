import GRULabTensor
import GRULabTestSupport
import Testing

@Suite struct TensorTests {
    @Test func matmulMatchesTheDefinition() {
        var g = SeededGenerator(seed: 3)
        let a = Tensor<Double>.random([5, 7], using: &g), b = Tensor<Double>.random([7, 3], using: &g)
        let c = a.matmul(b)
        #expect(c.shape == [5, 3])
        for i in 0..<5 {
            for j in 0..<3 {
                let expected = (0..<7).reduce(0.0) { $0 + a[i, $1] * b[$1, j] }
                #expect(abs(c[i, j] - expected) < 1e-14)
            }
        }
        let cf = Tensor<Float>(a).matmul(Tensor<Float>(b))
        #expect(Tensor<Double>(cf).maxAbsoluteDifference(c) < 1e-5)
    }

    @Test func transposeAndSwapAreInverses() {
        var g = SeededGenerator(seed: 4)
        let m = Tensor<Float>.random([3, 4], using: &g)
        #expect(m.transposed().shape == [4, 3])
        #expect(m.transposed()[2, 1] == m[1, 2])
        #expect(m.transposed().transposed() == m)
        let s = Tensor<Float>.random([2, 3, 4], using: &g)
        #expect(s.swappingFirstTwoDimensions()[2, 1, 3] == s[1, 2, 3])
        #expect(s.swappingFirstTwoDimensions().swappingFirstTwoDimensions() == s)
    }

    @Test func normIsFrobenius() {
        let t = Tensor<Double>(shape: [2, 2], scalars: [3, 0, 0, 4])
        #expect(t.norm == 5)
        #expect(Tensor<Double>(zeros: [0]).norm == 0)
        #expect(t.maxAbsolute == 4)
    }

    @Test func sliceTakesTheFirstDimension() {
        let t = Tensor<Double>(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t[slice: 1] == Tensor(shape: [2], scalars: [3, 4]))
    }

    @Test func splitAndConcatenateAlongAnAxisAreInverses() {
        let t = Tensor<Double>(shape: [2, 5, 3], scalars: (0..<30).map(Double.init))
        let parts = t.split(alongAxis: 1, [0..<2, 2..<3, 3..<5])
        #expect(parts.map(\.shape) == [[2, 2, 3], [2, 1, 3], [2, 2, 3]])
        #expect(parts[1].scalars == [6, 7, 8, 21, 22, 23])
        #expect(Tensor(concatenating: parts, alongAxis: 1) == t)
        let rows = t.split(alongAxis: 0, [1..<2])
        #expect(rows[0] == t[slice: 1].reshaped([1, 5, 3]))
        #expect(Tensor(concatenating: t.split(alongAxis: 2, [0..<1, 1..<3]), alongAxis: 2) == t)
    }
}
