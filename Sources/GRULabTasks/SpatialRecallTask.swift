import Foundation
import GRULabTensor

/// A spatio-temporal memory task: where was the square in the first frame, after `T - 1`
/// frames of a wandering distractor?
///
/// Frames are `S × S` pixels, one channel (`x` `[T, N, 1·S·S]`, each frame row-major). The
/// grid is cut into `(S/2)²` blocks of 2 × 2 pixels. Frame 0 lights one block, drawn
/// uniformly: its index is the class to predict at the last step. Every later frame lights
/// one block of a distractor that starts at a uniform block and moves one block up, down,
/// left, right or not at all each frame (uniformly, clamped at the borders), so the answer
/// is in the past only and the present keeps drawing attention away from it:
///
/// ```
/// x[0]    the target block                     y = its index in 0..<(S/2)², row-major
/// x[t]    the distractor's block, t >= 1
/// ```
///
/// Baseline: a uniform guess, cross-entropy `ln (S/2)²` (accuracy `1/(S/2)²`); no frame after
/// the first says anything about the answer.
public struct SpatialRecallTask: GeneratedTask {
    /// `T`, at least 2.
    public let sequenceLength: Int
    /// `S`, even, at least 4.
    public let size: Int
    public let evaluationSize: Int

    /// - Throws: ``TaskError/invalidParameter(task:name:value:expected:)`` for `T < 2`, an odd
    ///   or smaller `S` than 4, or a non-positive evaluation size.
    public init(sequenceLength: Int, size: Int = 8, evaluationSize: Int = 512) throws(TaskError) {
        try require(sequenceLength >= 2, task: "spatial-recall", "seq_len", sequenceLength, "an integer >= 2")
        try require(size >= 4 && size % 2 == 0, task: "spatial-recall", "size", size, "an even integer >= 4")
        try require(evaluationSize >= 1, task: "spatial-recall", "eval_size", evaluationSize, "an integer >= 1")
        self.sequenceLength = sequenceLength
        self.size = size
        self.evaluationSize = evaluationSize
    }

    /// `(S/2)²`.
    public var blocks: Int { (size / 2) * (size / 2) }

    public var name: String { "spatial-recall" }
    public var inputSize: Int { size * size }
    public var frame: (channels: Int, height: Int, width: Int)? { (1, size, size) }
    public var output: OutputKind { .classification(classes: blocks) }
    public var placement: LossPlacement { .lastStep }
    public var baseline: Baseline {
        Baseline(metric: "cross_entropy", value: log(Double(blocks)),
                 description: "a uniform guess over the \(blocks) blocks: ln \(blocks)")
    }

    public func batch(size batch: Int, using generator: inout SeededGenerator) -> TaskBatch {
        let steps = sequenceLength, side = size / 2, pixels = size * size
        var x = [Double](repeating: 0, count: steps * batch * pixels)
        var y = [Int](repeating: 0, count: batch)
        func light(_ block: Int, step: Int, sequence: Int) {
            let (row, column) = (block / side, block % side), frame = (step * batch + sequence) * pixels
            for dy in 0..<2 {
                for dx in 0..<2 { x[frame + (2 * row + dy) * size + 2 * column + dx] = 1 }
            }
        }
        for b in 0..<batch {
            y[b] = generator.integer(below: blocks)
            light(y[b], step: 0, sequence: b)
            var (row, column) = (generator.integer(below: side), generator.integer(below: side))
            for t in 1..<steps {
                switch generator.integer(below: 5) {
                case 0: row = max(row - 1, 0)
                case 1: row = min(row + 1, side - 1)
                case 2: column = max(column - 1, 0)
                case 3: column = min(column + 1, side - 1)
                default: break
                }
                light(row * side + column, step: t, sequence: b)
            }
        }
        return TaskBatch(x: Tensor(shape: [steps, batch, pixels], scalars: x), target: .classes(y))
    }
}
