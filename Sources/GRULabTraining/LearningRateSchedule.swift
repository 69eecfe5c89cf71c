/// The learning rate at each step: an optional linear warm-up, then a decay.
///
/// With base rate `lr`, `w` warm-up steps and `s = step - w` (steps count from 0):
///
/// ```
/// step < w            lr · (step + 1) / w
/// constant            lr
/// cosine(S, lr_min)   lr_min + (lr - lr_min) · (1 + cos(π · min(s, S - w) / (S - w))) / 2   (S total steps)
/// step(k, γ)          lr · γ^⌊s / k⌋
/// exponential(γ)      lr · γ^s
/// ```
public struct LearningRateSchedule: Sendable, Equatable {
    /// What follows the warm-up.
    public enum Decay: Sendable, Equatable {
        case constant
        /// Cosine annealing to `minimum` at step `totalSteps` (the run's length), constant after.
        case cosine(totalSteps: Int, minimum: Double = 0)
        /// Multiplied by `factor` every `every` steps.
        case step(every: Int, factor: Double)
        /// Multiplied by `factor` every step.
        case exponential(factor: Double)
    }

    public var base: Double
    public var warmupSteps: Int
    public var decay: Decay

    /// - Throws: ``TrainingError/invalidSetting(name:value:expected:)`` for a rate that is not
    ///   positive, negative warm-up, or a decay parameter out of range.
    public init(base: Double, warmupSteps: Int = 0, decay: Decay = .constant) throws(TrainingError) {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws(TrainingError) {
            if !ok { throw .invalidSetting(name: name, value: "\(value)", expected: expected) }
        }
        try check(base > 0 && base.isFinite, "lr", base, "a positive number")
        try check(warmupSteps >= 0, "warmup_steps", warmupSteps, "an integer >= 0")
        switch decay {
        case .constant: break
        case let .cosine(total, minimum):
            try check(total > warmupSteps, "total steps", total, "more than the \(warmupSteps) warm-up steps")
            try check(minimum >= 0 && minimum <= base, "min_lr", minimum, "a number in 0...\(base)")
        case let .step(every, factor):
            try check(every >= 1, "decay_every", every, "an integer >= 1")
            try check(factor > 0 && factor <= 1, "decay_factor", factor, "a number in (0, 1]")
        case let .exponential(factor):
            try check(factor > 0 && factor <= 1, "decay_factor", factor, "a number in (0, 1]")
        }
        self.base = base
        self.warmupSteps = warmupSteps
        self.decay = decay
    }

    /// The rate of step `step` (0-based).
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return base * Double(step + 1) / Double(warmupSteps) }
        let s = Double(step - warmupSteps)
        switch decay {
        case .constant:
            return base
        case let .cosine(total, minimum):
            let span = Double(total - warmupSteps)
            return minimum + (base - minimum) * (1 + Double.cos(Double.pi * min(s, span) / span)) / 2
        case let .step(every, factor):
            return base * Double.pow(factor, Double((step - warmupSteps) / every))
        case let .exponential(factor):
            return base * Double.pow(factor, s)
        }
    }
}
