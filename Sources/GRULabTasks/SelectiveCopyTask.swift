import Foundation
import GRULabTensor

/// Selective copying (Gu & Dao 2023, "Mamba", section 3.1; used by Feng et al. 2024 for minGRU),
/// scalable down to small vocabularies and lengths.
///
/// Tokens: `0` blank (noise), `1...V` data, `V + 1` the query marker; inputs one-hot
/// (C = V + 2). A sequence has `T + K` steps:
///
/// ```
/// input   T steps, all blank except K data tokens at distinct random positions,
///         then K query markers
/// target  at the k-th marker step, the k-th data token in order of position
/// ```
///
/// The model classifies over `V + 1` classes (blank and the data tokens); the loss is the
/// cross-entropy on the K answer steps only (the mask is 1 there, 0 elsewhere), averaged over them.
///
/// Baseline: a uniform guess over the V data tokens at each answer step, cross-entropy `ln V`.
public struct SelectiveCopyTask: GeneratedTask {
    /// `T`, the steps holding data and noise; at least `K`.
    public let contextLength: Int
    /// `K`, the data tokens to recall; at least 1.
    public let tokens: Int
    /// `V`, the data vocabulary; at least 2.
    public let vocabulary: Int
    public let evaluationSize: Int

    /// - Throws: ``TaskError/invalidParameter(task:name:value:expected:)`` for `K < 1`,
    ///   `V < 2` or `T < K`.
    public init(contextLength: Int, tokens: Int = 4, vocabulary: Int = 8, evaluationSize: Int = 512) throws(TaskError) {
        try require(tokens >= 1, task: "selective-copy", "tokens", tokens, "an integer >= 1")
        try require(vocabulary >= 2, task: "selective-copy", "vocab", vocabulary, "an integer >= 2")
        try require(contextLength >= max(tokens, 2), task: "selective-copy", "seq_len", contextLength,
                    "an integer >= max(tokens, 2) = \(max(tokens, 2))")
        try require(evaluationSize >= 1, task: "selective-copy", "eval_size", evaluationSize, "an integer >= 1")
        self.contextLength = contextLength
        self.tokens = tokens
        self.vocabulary = vocabulary
        self.evaluationSize = evaluationSize
    }

    public var name: String { "selective-copy" }
    /// `T + K`.
    public var sequenceLength: Int { contextLength + tokens }
    /// `V + 2`.
    public var inputSize: Int { vocabulary + 2 }
    /// `V + 1` classes.
    public var output: OutputKind { .classification(classes: vocabulary + 1) }
    public var placement: LossPlacement { .everyStep }
    public var baseline: Baseline {
        Baseline(metric: "cross_entropy", value: log(Double(vocabulary)),
                 description: "a uniform guess over the \(vocabulary) data tokens on the \(tokens) answer steps: ln V")
    }

    public func batch(size: Int, using generator: inout SeededGenerator) -> TaskBatch {
        let steps = sequenceLength, (t, k) = (contextLength, tokens)
        var input = [Int](repeating: 0, count: steps * size)
        var target = [Int](repeating: 0, count: steps * size)
        var mask = [Double](repeating: 0, count: steps * size)
        var positions = [Int](repeating: 0, count: t)
        for b in 0..<size {
            // A partial Fisher–Yates shuffle picks K distinct positions.
            for i in 0..<t { positions[i] = i }
            for i in 0..<k { positions.swapAt(i, i + generator.integer(below: t - i)) }
            let chosen = positions[0..<k].sorted()
            for (i, position) in chosen.enumerated() {
                let token = 1 + generator.integer(below: vocabulary)
                input[position * size + b] = token
                input[(t + i) * size + b] = vocabulary + 1
                target[(t + i) * size + b] = token
                mask[(t + i) * size + b] = 1
            }
        }
        return TaskBatch(x: oneHot(input, steps: steps, batch: size, classes: vocabulary + 2),
                         target: .classes(target), mask: mask)
    }
}
