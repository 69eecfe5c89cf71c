import GRULabTensor
import Testing

@Suite struct InitializerTests {
    @Test func pytorchDefaultIsBoundedByOneOverRootH() {
        var g = SeededGenerator(seed: 1)
        let w: Tensor<Double> = Initializer.pytorch.make(shape: [48, 16], hiddenSize: 16, using: &g)
        #expect(w.maxAbsolute <= 0.25)
        #expect(w.maxAbsolute > 0.24)
    }

    @Test func glorotUniformIsBoundedByItsLimit() {
        var g = SeededGenerator(seed: 2)
        let w: Tensor<Double> = Initializer.glorotUniform.make(shape: [30, 10], hiddenSize: 10, using: &g)
        let limit = (6.0 / 40.0).squareRoot()
        #expect(w.maxAbsolute <= limit)
        #expect(w.maxAbsolute > 0.95 * limit)
    }

    @Test(arguments: [[12, 4], [4, 12], [6, 6]])
    func orthogonalHasOrthonormalRowsOrColumns(shape: [Int]) {
        var g = SeededGenerator(seed: 3)
        let w: Tensor<Double> = Initializer.orthogonal().make(shape: shape, hiddenSize: 4, using: &g)
        let gram = shape[0] >= shape[1] ? w.transposed().matmul(w) : w.matmul(w.transposed())
        let n = min(shape[0], shape[1])
        for i in 0..<n {
            for j in 0..<n { #expect(abs(gram[i, j] - (i == j ? 1 : 0)) < 1e-12) }
        }
    }

    @Test func zerosAreZero() {
        var g = SeededGenerator(seed: 4)
        let b: Tensor<Float> = Initializer.zeros.make(shape: [9], hiddenSize: 3, using: &g)
        #expect(b == Tensor(zeros: [9]))
    }

    @Test func namesRoundTrip() {
        #expect(Initializer.names.compactMap(Initializer.init(name:)).count == Initializer.names.count)
        #expect(Initializer(name: "xavier") == nil)
    }
}
