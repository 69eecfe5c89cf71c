import GRULabTensor
import Testing

@Suite struct RandomGeneratorTests {
    @Test func theSameSeedGivesTheSameStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
    }

    /// Pinned values: a change here would silently change every run's data and weights.
    @Test func theStreamIsPinned() {
        var g = SeededGenerator(seed: 0)
        #expect(g.next() == 11_091_344_671_253_066_420)
        #expect(g.next() == 13_793_997_310_169_335_082)
    }

    @Test func splitStreamsAreIndependentOfEachOtherAndOfUse() {
        var g = SeededGenerator(seed: 7)
        var data = g.split("data"), weights = g.split("weights")
        #expect(data.next() != weights.next())
        _ = g.next()
        var dataAgain = SeededGenerator(seed: 7).split("data")
        var reference = SeededGenerator(seed: 7).split("data")
        #expect(dataAgain.next() == reference.next())
    }

    @Test func uniformNormalAndBernoulliHaveTheirMoments() {
        var g = SeededGenerator(seed: 11)
        let n = 200_000
        let u = (0..<n).map { _ in g.uniform(-1.0, 1.0) }
        #expect(u.allSatisfy { $0 >= -1 && $0 < 1 })
        #expect(abs(u.reduce(0, +) / Double(n)) < 0.01)
        let z: [Double] = (0..<n).map { _ in g.normal() }
        let mean = z.reduce(0, +) / Double(n)
        let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
        let p = 0.3
        let hits = (0..<n).filter { _ in g.bernoulli(p) }.count
        // 5 standard deviations of a binomial count
        #expect(abs(Double(hits) - p * Double(n)) < 5 * (Double(n) * p * (1 - p)).squareRoot())
    }

    private func bernoulliMask<Scalar: TensorScalar>(_: Scalar.Type, seed: UInt64, count: Int, p: Double,
                                                     value: Scalar = 1) -> [Scalar] {
        var g = SeededGenerator(seed: seed)
        var mask = [Scalar](repeating: -1, count: count)
        mask.withUnsafeMutableBufferPointer { g.fillBernoulli($0.baseAddress!, count: count, p: p, value: value) }
        return mask
    }

    @Test func bulkBernoulliHasItsMeanAndIsTheSameStreamForAnyLengthAndPrecision() {
        let n = 400_003
        for p in [0.1, 0.5, 0.75] {
            let mask = bernoulliMask(Float.self, seed: 3, count: n, p: p, value: 2)
            #expect(mask.allSatisfy { $0 == 0 || $0 == 2 })
            let hits = Double(mask.filter { $0 == 2 }.count)
            #expect(abs(hits - p * Double(n)) < 5 * (Double(n) * p * (1 - p)).squareRoot())
            // every element position gets its share: no lane or half is biased
            for phase in 0..<8 {
                let share = stride(from: phase, to: n, by: 8).filter { mask[$0] == 2 }.count
                let m = Double(n / 8)
                #expect(abs(Double(share) - p * m) < 5 * (m * p * (1 - p)).squareRoot())
            }
        }
        let long = bernoulliMask(Double.self, seed: 9, count: 64, p: 0.3)
        for count in [1, 7, 8, 13, 63] {
            #expect(bernoulliMask(Double.self, seed: 9, count: count, p: 0.3) == Array(long.prefix(count)))
        }
        #expect(bernoulliMask(Float.self, seed: 9, count: 64, p: 0.3).map(Double.init) == long)
        // Float runs the vector kernel where the processor has AVX2, Double the scalar one
        #expect(bernoulliMask(Float.self, seed: 10, count: 1003, p: 0.6).map(Double.init)
                == bernoulliMask(Double.self, seed: 10, count: 1003, p: 0.6))
        #expect(bernoulliMask(Float.self, seed: 9, count: 21, p: 0).allSatisfy { $0 == 0 })
        #expect(bernoulliMask(Float.self, seed: 9, count: 21, p: 1).allSatisfy { $0 == 1 })
    }

    /// Pinned: a change here would silently change every zoneout and dropout mask.
    @Test func bulkBernoulliIsPinned() {
        let bits = bernoulliMask(Float.self, seed: 0, count: 16, p: 0.5).map { $0 == 1 ? "1" : "0" }.joined()
        #expect(bits == "0111010001011110")  // from a Python transcription of the algorithm
    }

    @Test func bulkBernoulliAdvancesTheGenerator() {
        var g = SeededGenerator(seed: 5)
        var first = [Float](repeating: 0, count: 32), second = first
        first.withUnsafeMutableBufferPointer { g.fillBernoulli($0.baseAddress!, count: 32, p: 0.5, value: 1) }
        second.withUnsafeMutableBufferPointer { g.fillBernoulli($0.baseAddress!, count: 32, p: 0.5, value: 1) }
        #expect(first != second)
    }
}
