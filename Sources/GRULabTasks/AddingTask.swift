import GRULabTensor

/// The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015).
///
/// Each step has two features: a value drawn from U[0, 1) and a marker. Exactly one marker is 1
/// in each half of the sequence, at `t1` in `0..<T/2` and `t2` in `T/2..<T` (uniform), every
/// other marker is 0. The target, read at the last step, is the sum of the two marked values:
///
/// ```
/// x[t, b] = (u_t, m_t),   y_b = u_{t1} + u_{t2}        x [T, N, 2], y [N, 1]
/// ```
///
/// Baseline: always predicting 1 gives the MSE `Var(u1 + u2) = 2 / 12 = 1/6 ≈ 0.167`.
public struct AddingTask: GeneratedTask {
    /// `T`, at least 2.
    public let sequenceLength: Int
    public let evaluationSize: Int

    /// - Throws: ``TaskError/invalidParameter(task:name:value:expected:)`` for `T < 2` or a
    ///   non-positive evaluation size.
    public init(sequenceLength: Int, evaluationSize: Int = 512) throws(TaskError) {
        try require(sequenceLength >= 2, task: "adding", "seq_len", sequenceLength, "an integer >= 2")
        try require(evaluationSize >= 1, task: "adding", "eval_size", evaluationSize, "an integer >= 1")
        self.sequenceLength = sequenceLength
        self.evaluationSize = evaluationSize
    }

    public var name: String { "adding" }
    public var inputSize: Int { 2 }
    public var output: OutputKind { .regression(outputs: 1) }
    public var placement: LossPlacement { .lastStep }
    public var baseline: Baseline {
        Baseline(metric: "mse", value: 1.0 / 6,
                 description: "always predicting 1, the mean of the target: MSE = Var(u1 + u2) = 1/6")
    }

    public func batch(size: Int, using generator: inout SeededGenerator) -> TaskBatch {
        let steps = sequenceLength, half = steps / 2
        var x = [Double](repeating: 0, count: steps * size * 2)
        var y = [Double](repeating: 0, count: size)
        for b in 0..<size {
            for t in 0..<steps { x[(t * size + b) * 2] = generator.uniform(0, 1) }
            let first = generator.integer(below: half)
            let second = half + generator.integer(below: steps - half)
            for t in [first, second] {
                x[(t * size + b) * 2 + 1] = 1
                y[b] += x[(t * size + b) * 2]
            }
        }
        return TaskBatch(x: Tensor(shape: [steps, size, 2], scalars: x), target: .values(y))
    }
}
