import Foundation
import GRULabTensor

/// The copy-memory task of Arjovsky, Shah & Bengio 2016 ("Unitary evolution recurrent neural
/// networks", section 4.1).
///
/// With delay `T`, a sequence has `T + 20` steps over the alphabet `0...9`, one-hot (C = 10):
///
/// ```
/// input   s_1 … s_10   0 … 0 (T - 1 blanks)   9 (delimiter)   0 … 0 (10 blanks)
/// target  0 … 0 (T + 10 blanks)                                s_1 … s_10
/// ```
///
/// where each `s_i` is drawn uniformly from `1...8` and the delimiter sits at step `T + 9`.
/// The loss is the cross-entropy over the 10 classes at every step (mask all ones).
///
/// Baseline: predicting blanks up to the delimiter and a uniform guess over the 8 symbols in
/// the last 10 steps gives `10 ln 8 / (T + 20)`, the mean cross-entropy per step.
public struct CopyTask: GeneratedTask {
    /// `T`, the delay between the last symbol and the delimiter's successor; at least 1.
    public let delay: Int
    public let evaluationSize: Int

    /// The number of symbols to copy.
    public static let symbols = 10
    /// The symbols are drawn from `1...alphabet`.
    public static let alphabet = 8

    /// - Throws: ``TaskError/invalidParameter(task:name:value:expected:)`` for `T < 1`.
    public init(delay: Int, evaluationSize: Int = 512) throws(TaskError) {
        try require(delay >= 1, task: "copy", "seq_len", delay, "an integer >= 1")
        try require(evaluationSize >= 1, task: "copy", "eval_size", evaluationSize, "an integer >= 1")
        self.delay = delay
        self.evaluationSize = evaluationSize
    }

    public var name: String { "copy" }
    /// `T + 20`.
    public var sequenceLength: Int { delay + 20 }
    public var inputSize: Int { 10 }
    public var output: OutputKind { .classification(classes: 10) }
    public var placement: LossPlacement { .everyStep }
    public var baseline: Baseline {
        Baseline(metric: "cross_entropy", value: 10 * log(8.0) / Double(delay + 20),
                 description: "blanks until the delimiter, then a uniform guess over the 8 symbols: 10 ln 8 / (T + 20) per step")
    }

    public func batch(size: Int, using generator: inout SeededGenerator) -> TaskBatch {
        let steps = sequenceLength, n = Self.symbols
        var input = [Int](repeating: 0, count: steps * size)
        var target = [Int](repeating: 0, count: steps * size)
        for b in 0..<size {
            for i in 0..<n {
                let symbol = 1 + generator.integer(below: Self.alphabet)
                input[i * size + b] = symbol
                target[(steps - n + i) * size + b] = symbol
            }
            input[(delay + 9) * size + b] = 9
        }
        return TaskBatch(x: oneHot(input, steps: steps, batch: size, classes: 10), target: .classes(target),
                         mask: Array(repeating: 1, count: steps * size))
    }
}
