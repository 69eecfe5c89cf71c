/// How a run trains: optimiser, learning-rate schedule, clipping, evaluation, checkpoints.
public struct TrainSpec: Sendable, Hashable {
    public enum Optimizer: String, Sendable, Hashable { case sgd, adam, rmsprop }

    /// The learning-rate schedule after warm-up, from `lr` at the end of warm-up.
    public enum Decay: Sendable, Hashable {
        case none
        /// Half a cosine from `lr` down to `minLR` at the last step.
        case cosine(minLR: Double)
        /// `lr * rate^floor(t / every)`.
        case step(every: Int, rate: Double)
        /// `lr * rate^(t / every)`, smoothly.
        case exponential(every: Int, rate: Double)
    }

    public var steps: Int
    public var batchSize: Int
    public var optimizer: Optimizer
    public var lr: Double
    /// Momentum of SGD and RMSprop; Adam ignores it.
    public var momentum: Double
    /// The global gradient-norm bound; `nil` is no clipping.
    public var clip: Double?
    /// Steps of linear warm-up from 0 to `lr`.
    public var warmup: Int
    public var decay: Decay
    public var evalEvery: Int
    public var evalBatches: Int
    /// Steps between checkpoints; `nil` is none.
    public var checkpointEvery: Int?
}
