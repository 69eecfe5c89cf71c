import Foundation
import GRULabTasks
import GRULabTensor
import Testing

/// The generated tasks: determinism, structure, and baselines measured on the data.
@Suite struct GeneratedTaskTests {
    static func draw(_ task: some SequenceTask, size: Int, seed: UInt64) -> TaskBatch {
        var g = SeededGenerator(seed: seed)
        return task.batch(size: size, using: &g)
    }

    @Test func theSameSeedGivesTheSameData() throws {
        let tasks: [any SequenceTask] = [try AddingTask(sequenceLength: 30), try CopyTask(delay: 5),
                                         try SelectiveCopyTask(contextLength: 12, tokens: 3, vocabulary: 4),
                                         try SpatialRecallTask(sequenceLength: 9, size: 6)]
        for task in tasks {
            #expect(Self.draw(task, size: 8, seed: 7) == Self.draw(task, size: 8, seed: 7), "\(task.name)")
            #expect(Self.draw(task, size: 8, seed: 7) != Self.draw(task, size: 8, seed: 8), "\(task.name)")
            let stream = SeededGenerator(seed: 7)
            #expect(task.evaluationSet(using: stream.split("evaluation")) == task.evaluationSet(using: stream.split("evaluation")))
            #expect(task.evaluationSet(using: stream.split("evaluation")).size == 512)
        }
    }

    @Test func addingHasOneMarkerPerHalfAndSumsTheMarkedValues() throws {
        let task = try AddingTask(sequenceLength: 11)
        let batch = Self.draw(task, size: 64, seed: 1)
        #expect(batch.x.shape == [11, 64, 2])
        guard case let .values(y) = batch.target else { Issue.record("not a regression"); return }
        for b in 0..<64 {
            let markers = (0..<11).filter { batch.x[$0, b, 1] == 1 }
            #expect((0..<11).allSatisfy { [0, 1].contains(batch.x[$0, b, 1]) })
            #expect(markers.count == 2 && markers[0] < 5 && markers[1] >= 5)
            #expect((0..<11).allSatisfy { (0..<1).contains(batch.x[$0, b, 0]) })
            #expect(y[b] == markers.reduce(0) { $0 + batch.x[$1, b, 0] })
        }
    }

    @Test func addingBaselineIsTheMSEOfPredictingOne() throws {
        let task = try AddingTask(sequenceLength: 10)
        guard case let .values(y) = Self.draw(task, size: 20_000, seed: 2).target else { return }
        let mse = y.reduce(0) { $0 + ($1 - 1) * ($1 - 1) } / Double(y.count)
        #expect(abs(mse - task.baseline.value) < 0.005)
        #expect(abs(task.baseline.value - 1.0 / 6) < 1e-15 && task.baseline.metric == "mse")
    }

    /// Frame 0 lights the target's 2 × 2 block, every later frame one block of a distractor
    /// that moves by at most one block a frame.
    @Test func spatialRecallShowsTheTargetFirstAndThenOnlyTheDistractor() throws {
        let task = try SpatialRecallTask(sequenceLength: 12, size: 6)
        let batch = Self.draw(task, size: 40, seed: 4)
        #expect(batch.x.shape == [12, 40, 36] && task.inputSize == 36 && task.blocks == 9)
        #expect(task.frame! == (1, 6, 6))
        guard case let .classes(y) = batch.target else { Issue.record("not a classification"); return }
        #expect(Set(y).count == 9)
        for b in 0..<40 {
            var previous: (Int, Int)?
            for t in 0..<12 {
                let lit = (0..<36).filter { batch.x[t, b, $0] == 1 }
                #expect(lit.count == 4 && (0..<36).allSatisfy { [0, 1].contains(batch.x[t, b, $0]) })
                let (row, column) = (lit[0] / 6, lit[0] % 6)
                #expect(row % 2 == 0 && column % 2 == 0)
                #expect(lit == [lit[0], lit[0] + 1, lit[0] + 6, lit[0] + 7])
                let block = (row / 2, column / 2)
                if t == 0 {
                    #expect(block.0 * 3 + block.1 == y[b])
                } else if let previous {
                    #expect(abs(block.0 - previous.0) + abs(block.1 - previous.1) <= 1)
                }
                if t > 0 { previous = block }
            }
        }
        #expect(abs(task.baseline.value - log(9.0)) < 1e-15 && task.baseline.metric == "cross_entropy")
        #expect(throws: TaskError.invalidParameter(task: "spatial-recall", name: "size", value: "5", expected: "an even integer >= 4")) {
            try SpatialRecallTask(sequenceLength: 10, size: 5)
        }
    }

    @Test func copyFollowsArjovskyEtAl() throws {
        let delay = 6, task = try CopyTask(delay: delay)
        let batch = Self.draw(task, size: 32, seed: 3)
        #expect(batch.x.shape == [delay + 20, 32, 10] && task.inputSize == 10)
        guard case let .classes(y) = batch.target else { Issue.record("not a classification"); return }
        #expect(batch.mask == Array(repeating: 1, count: (delay + 20) * 32))
        for b in 0..<32 {
            let tokens = (0..<delay + 20).map { t in (0..<10).first { batch.x[t, b, $0] == 1 }! }
            #expect((0..<delay + 20).allSatisfy { t in (0..<10).reduce(0) { $0 + batch.x[t, b, $1] } == 1 })
            #expect(tokens[0..<10].allSatisfy { (1...8).contains($0) })
            #expect(tokens[10...].enumerated().allSatisfy { i, token in token == (10 + i == delay + 9 ? 9 : 0) })
            let targets = (0..<delay + 20).map { y[$0 * 32 + b] }
            #expect(targets[0..<delay + 10].allSatisfy { $0 == 0 })
            #expect(Array(targets[(delay + 10)...]) == Array(tokens[0..<10]))
        }
    }

    /// The cross-entropy of the best per-step predictor estimated from the data itself (class
    /// frequencies at each position) is the stated baseline.
    static func empiricalCrossEntropy(_ batch: TaskBatch, classes: Int) -> Double {
        guard case let .classes(y) = batch.target, let mask = batch.mask else { return .nan }
        let (steps, n) = (batch.steps, batch.size)
        var loss = 0.0
        for t in 0..<steps {
            var counts = [Double](repeating: 0, count: classes)
            for b in 0..<n where mask[t * n + b] > 0 { counts[y[t * n + b]] += 1 }
            let total = counts.reduce(0, +)
            for b in 0..<n where mask[t * n + b] > 0 { loss -= log(counts[y[t * n + b]] / total) }
        }
        return loss / mask.reduce(0, +)
    }

    @Test func copyBaselineMatchesTheData() throws {
        let task = try CopyTask(delay: 10)
        #expect(abs(task.baseline.value - 10 * log(8.0) / 30) < 1e-15)
        let measured = Self.empiricalCrossEntropy(Self.draw(task, size: 20_000, seed: 4), classes: 10)
        #expect(abs(measured - task.baseline.value) < 0.002, "measured \(measured)")
    }

    @Test func selectiveCopyAsksForTheDataTokensInOrder() throws {
        let (t, k, v) = (12, 3, 4)
        let task = try SelectiveCopyTask(contextLength: t, tokens: k, vocabulary: v)
        let batch = Self.draw(task, size: 50, seed: 5)
        #expect(batch.x.shape == [t + k, 50, v + 2] && task.output == .classification(classes: v + 1))
        guard case let .classes(y) = batch.target, let mask = batch.mask else { Issue.record("no targets"); return }
        for b in 0..<50 {
            let tokens = (0..<t + k).map { s in (0..<v + 2).first { batch.x[s, b, $0] == 1 }! }
            let data = tokens[0..<t].filter { $0 != 0 }
            #expect(data.count == k && data.allSatisfy { (1...v).contains($0) })
            #expect(tokens[t...].allSatisfy { $0 == v + 1 })
            #expect((t..<t + k).map { y[$0 * 50 + b] } == Array(data))
            #expect((0..<t + k).map { mask[$0 * 50 + b] } == Array(repeating: 0, count: t) + Array(repeating: 1, count: k))
        }
    }

    @Test func selectiveCopyBaselineMatchesTheData() throws {
        let task = try SelectiveCopyTask(contextLength: 8, tokens: 2, vocabulary: 5)
        let measured = Self.empiricalCrossEntropy(Self.draw(task, size: 20_000, seed: 6), classes: 6)
        #expect(abs(measured - log(5.0)) < 0.005 && task.baseline.value == log(5.0), "measured \(measured)")
    }
}
