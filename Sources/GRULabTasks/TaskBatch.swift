import GRULabTensor

/// One batch of a task: inputs, targets, and where the loss applies.
///
/// ```
/// x        [T, N, C]  time-major
/// lengths  [N]        valid steps of each sequence, in 1...T; nil when all are T
/// target   .values    [N, O] (last step) or [T, N, O] (every step), row-major
///          .classes   [N] (last step) or [T, N] (every step), each in 0..<classes
/// mask     [T, N]     weight of each step's loss (every-step tasks); nil means every valid step
/// ```
public struct TaskBatch: Sendable, Equatable {
    /// The inputs, `[T, N, C]`.
    public var x: Tensor<Double>
    /// Each sequence's valid length, or `nil` when every sequence has `T` steps.
    public var lengths: [Int]?
    /// The targets, laid out as the task's ``LossPlacement`` says.
    public var target: Target
    /// For every-step losses, a weight per step `[T, N]` (1 where the loss applies, 0
    /// elsewhere); `nil` means every valid step counts. Unused for last-step losses.
    public var mask: [Double]?

    /// Targets of a regression or a classification.
    public enum Target: Sendable, Equatable {
        case values([Double])
        case classes([Int])
    }

    public init(x: Tensor<Double>, lengths: [Int]? = nil, target: Target, mask: [Double]? = nil) {
        self.x = x
        self.lengths = lengths
        self.target = target
        self.mask = mask
    }

    /// `T`.
    public var steps: Int { x.shape[0] }
    /// `N`.
    public var size: Int { x.shape[1] }
}
