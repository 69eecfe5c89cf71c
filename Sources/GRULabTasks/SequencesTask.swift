import Foundation
import GRULabTensor

/// A researcher's own sequences: inputs `x [S, T, C]` (batch-first, as stored in the file),
/// targets, and optional valid lengths, held in memory. Load them from HDF5 with
/// ``SequencesTask/init(path:evaluationSize:)``; the file layout is in docs/tasks.md.
///
/// The targets decide the task's kind and loss placement:
///
/// ```
/// y float [S] or [S, O]   regression on each sequence's last valid step
/// y float [S, T, O]       regression on every valid step
/// y int   [S]             classification on the last valid step
/// y int   [S, T]          classification on every valid step
/// ```
///
/// Classes are `0..<K` with `K` = the largest class on a valid step + 1. The last
/// `evaluationSize` sequences are held out for evaluation; training batches draw sequences
/// uniformly, with replacement, from the others. Padded steps (`t >= lengths[s]`) are masked out
/// of every-step losses.
///
/// Baseline: the loss of the best constant prediction fitted on the training sequences and
/// scored on the held-out ones: the MSE of predicting the training mean (regression), or the
/// cross-entropy of predicting the training class frequencies (classification).
public struct SequencesTask: SequenceTask {
    /// Where the data came from, for messages.
    public let source: String
    /// `S`, the number of sequences.
    public let count: Int
    public let sequenceLength: Int
    public let inputSize: Int
    public let output: OutputKind
    public let placement: LossPlacement
    public let evaluationSize: Int
    private let x: [Double]
    private let lengths: [Int]?
    private let target: TaskBatch.Target
    private let outputs: Int

    /// Targets as read from the file.
    public enum Targets: Sendable, Equatable {
        /// Shape `[S]`, `[S, O]` (last step) or `[S, T, O]` (every step).
        case values([Double], shape: [Int])
        /// Shape `[S]` (last step) or `[S, T]` (every step).
        case classes([Int], shape: [Int])
    }

    /// Sequences from memory.
    ///
    /// - Parameters:
    ///   - x: `[S, T, C]` row-major, with its `shape`.
    ///   - lengths: `[S]`, each in `1...T`; `nil` when every sequence has `T` steps.
    ///   - evaluationSize: held-out sequences, in `1..<S`; one tenth of `S` (at least 1) when omitted.
    ///   - source: the file name used in errors.
    /// - Throws: ``TaskError`` naming `source` and the dataset whose shape or values are wrong.
    public init(x: [Double], shape: [Int], targets: Targets, lengths: [Int]? = nil,
                evaluationSize: Int? = nil, source: String = "<memory>") throws(TaskError) {
        guard shape.count == 3, shape.allSatisfy({ $0 >= 1 }), shape.reduce(1, *) == x.count else {
            throw .datasetShape(file: source, dataset: "x", shape: shape, expected: "[S, T, C], every extent >= 1")
        }
        let (s, t, c) = (shape[0], shape[1], shape[2])
        if let lengths {
            guard lengths.count == s else {
                throw .datasetShape(file: source, dataset: "lengths", shape: [lengths.count], expected: "[\(s)]")
            }
            if let bad = lengths.firstIndex(where: { !(1...t).contains($0) }) {
                throw .invalidData(file: source, dataset: "lengths",
                                   reason: "lengths[\(bad)] = \(lengths[bad]) is not in 1...\(t)")
            }
        }
        let valid = lengths ?? Array(repeating: t, count: s)
        switch targets {
        case let .values(y, yShape):
            guard yShape.first == s, (1...3).contains(yShape.count), yShape.reduce(1, *) == y.count,
                  yShape.count < 3 || yShape[1] == t else {
                throw .datasetShape(file: source, dataset: "y", shape: yShape,
                                    expected: "[\(s)], [\(s), O] or [\(s), \(t), O] for floating-point targets")
            }
            outputs = yShape.count == 1 ? 1 : yShape.last!
            output = .regression(outputs: outputs)
            placement = yShape.count == 3 ? .everyStep : .lastStep
            target = .values(y)
        case let .classes(y, yShape):
            guard yShape.first == s, (1...2).contains(yShape.count), yShape.reduce(1, *) == y.count,
                  yShape.count < 2 || yShape[1] == t else {
                throw .datasetShape(file: source, dataset: "y", shape: yShape,
                                    expected: "[\(s)] or [\(s), \(t)] for integer class targets")
            }
            let everyStep = yShape.count == 2
            var largest = 0
            for i in 0..<s {
                for step in everyStep ? 0..<valid[i] : 0..<1 {
                    let label = y[everyStep ? i * t + step : i]
                    guard label >= 0 else {
                        throw .invalidData(file: source, dataset: "y",
                                           reason: "class \(label) of sequence \(i) is negative; classes are 0..<K")
                    }
                    largest = max(largest, label)
                }
            }
            outputs = 1
            output = .classification(classes: largest + 1)
            placement = everyStep ? .everyStep : .lastStep
            target = .classes(everyStep ? y.enumerated().map { i, label in i % t < valid[i / t] ? label : 0 } : y)
        }
        let held = evaluationSize ?? max(1, s / 10)
        guard (1..<max(s, 2)).contains(held), s >= 2 else {
            throw .invalidParameter(task: "sequences", name: "eval_size", value: "\(held)",
                                    expected: "an integer in 1..<\(s) (the file holds \(s) sequences)")
        }
        self.source = source
        self.count = s
        self.sequenceLength = t
        self.inputSize = c
        self.evaluationSize = held
        self.x = x
        self.lengths = lengths
    }

    public var name: String { "sequences" }

    /// The sequences `indices` as a time-major batch.
    func gather(_ indices: [Int]) -> TaskBatch {
        let (n, t, c) = (indices.count, sequenceLength, inputSize)
        var xs = [Double](repeating: 0, count: t * n * c)
        for (b, i) in indices.enumerated() {
            for step in 0..<t {
                let from = (i * t + step) * c, to = (step * n + b) * c
                for f in 0..<c { xs[to + f] = x[from + f] }
            }
        }
        let batchLengths = lengths.map { l in indices.map { l[$0] } }
        let valid = batchLengths ?? Array(repeating: t, count: n)
        let everyStep = placement == .everyStep
        var mask: [Double]? = nil
        if everyStep {
            var m = [Double](repeating: 0, count: t * n)
            for b in 0..<n { for step in 0..<valid[b] { m[step * n + b] = 1 } }
            mask = m
        }
        let batchTarget: TaskBatch.Target
        switch target {
        case let .values(y):
            let o = outputs
            var v = [Double](repeating: 0, count: (everyStep ? t : 1) * n * o)
            for (b, i) in indices.enumerated() {
                if everyStep {
                    for step in 0..<t { for k in 0..<o { v[(step * n + b) * o + k] = y[(i * t + step) * o + k] } }
                } else {
                    for k in 0..<o { v[b * o + k] = y[i * o + k] }
                }
            }
            batchTarget = .values(v)
        case let .classes(y):
            var v = [Int](repeating: 0, count: (everyStep ? t : 1) * n)
            for (b, i) in indices.enumerated() {
                if everyStep {
                    for step in 0..<t { v[step * n + b] = y[i * t + step] }
                } else {
                    v[b] = y[i]
                }
            }
            batchTarget = .classes(v)
        }
        return TaskBatch(x: Tensor(shape: [t, n, c], scalars: xs), lengths: batchLengths,
                         target: batchTarget, mask: mask)
    }

    /// `size` training sequences drawn uniformly, with replacement, from the first
    /// `S - evaluationSize`.
    public func batch(size: Int, using generator: inout SeededGenerator) -> TaskBatch {
        gather((0..<size).map { _ in generator.integer(below: count - evaluationSize) })
    }

    /// The last ``evaluationSize`` sequences of the file, in order; the generator is unused.
    public func evaluationSet(using generator: SeededGenerator) -> TaskBatch {
        gather(Array(count - evaluationSize..<count))
    }

    public var baseline: Baseline {
        let train = gather(Array(0..<count - evaluationSize)), held = evaluationSet(using: SeededGenerator(seed: 0))
        switch (train.target, held.target) {
        case let (.values(a), .values(b)):
            let weightsA = stepWeights(train), weightsB = stepWeights(held), o = outputs
            var mean = [Double](repeating: 0, count: o)
            let totalA = weightsA.reduce(0, +)
            for (r, w) in weightsA.enumerated() where w > 0 { for k in 0..<o { mean[k] += a[r * o + k] / totalA } }
            var error = 0.0
            for (r, w) in weightsB.enumerated() where w > 0 {
                for k in 0..<o { error += (b[r * o + k] - mean[k]) * (b[r * o + k] - mean[k]) }
            }
            return Baseline(metric: "mse", value: error / (weightsB.reduce(0, +) * Double(o)),
                            description: "always predicting the training targets' mean, scored on the held-out sequences")
        case let (.classes(a), .classes(b)):
            let classes = output.size
            let weightsA = stepWeights(train), weightsB = stepWeights(held)
            var frequency = [Double](repeating: 0, count: classes)
            for (r, w) in weightsA.enumerated() where w > 0 { frequency[a[r]] += 1 }
            // Add-one smoothing keeps a class absent from training from giving an infinite loss.
            let total = frequency.reduce(0, +) + Double(classes)
            var loss = 0.0
            for (r, w) in weightsB.enumerated() where w > 0 { loss -= log((frequency[b[r]] + 1) / total) }
            return Baseline(metric: "cross_entropy", value: loss / weightsB.reduce(0, +),
                            description: "always predicting the training class frequencies (add-one smoothed), scored on the held-out sequences")
        default:
            preconditionFailure("targets of one kind")
        }
    }

    /// 1 for every step (or sequence) whose target counts, 0 for padding.
    private func stepWeights(_ batch: TaskBatch) -> [Double] {
        placement == .everyStep ? batch.mask! : Array(repeating: 1, count: batch.size)
    }
}
