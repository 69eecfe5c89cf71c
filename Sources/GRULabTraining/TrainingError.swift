/// A training run that cannot go on.
public enum TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The loss or the gradients are NaN or infinite at `step`; no parameter was updated.
    case nonFinite(step: Int, what: String)
    /// A training setting out of range.
    case invalidSetting(name: String, value: String, expected: String)
    /// The model does not fit the task.
    case modelDoesNotFitTask(String)
    /// A batch the model cannot take.
    case invalidBatch(String)

    public var description: String {
        switch self {
        case let .nonFinite(step, what): "non-finite \(what) at step \(step)"
        case let .invalidSetting(name, value, expected): "\(name) = \(value), expected \(expected)"
        case let .modelDoesNotFitTask(reason): "the model does not fit the task: \(reason)"
        case let .invalidBatch(reason): "invalid batch: \(reason)"
        }
    }
}
