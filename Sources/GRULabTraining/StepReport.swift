import GRULabCells

/// What one training step measured.
public struct StepReport: Sendable, Equatable {
    /// The step's index, from 0.
    public let step: Int
    /// The task's loss on the batch, before the update.
    public let loss: Double
    /// The accuracy on the batch (classification only).
    public let accuracy: Double?
    /// The global gradient norm, before clipping.
    public let gradientNorm: Double
    /// The learning rate the update used.
    public let learningRate: Double
    /// `||dL/dθ_p||` of every parameter, before clipping, in the order of ``parameterNames``.
    public let parameterGradientNorms: [Double]
    /// The model's parameter names.
    public let parameterNames: [String]
    /// `||dL/dh_t||` (Frobenius over batch and units) `[layer * D + direction][t]`, on the steps
    /// where it is recorded (every `gradientNormEvery` steps), else `nil`.
    public let hiddenGradientNorms: [[Double]]?
    /// The ``GradientDecay`` rate of each row of ``hiddenGradientNorms`` (`nil` where fewer
    /// than two entries are positive), when recorded.
    public let decayRates: [Double?]?
    /// Statistics of each layer and direction's carry gate (``RecurrentNetwork/gateStatistics(of:)``),
    /// on the steps where gradients norms are recorded; `nil` entries for cells without one.
    public let gateStatistics: [GateStatistics?]?
}

/// The loss (and accuracy) of a model on a task's held-out set.
public struct Evaluation: Sendable, Equatable {
    public let loss: Double
    public let accuracy: Double?
}
