/// A model that cannot be assembled, or an input it cannot take.
public enum ModelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The recurrent network takes another input size than the input layer gives it.
    case networkInputSize(expected: Int, got: Int)
    /// The network is batch-first; ``SequenceModel`` works time-major.
    case batchFirstNetwork
    /// A size that must be positive is not.
    case invalidSize(name: String, value: Int)
    /// The input is not `[T, N, C]` with the model's `C`.
    case inputShape(expected: String, got: [Int])

    public var description: String {
        switch self {
        case let .networkInputSize(expected, got):
            "the recurrent network takes inputs of size \(got), but the input layer gives \(expected)"
        case .batchFirstNetwork:
            "the recurrent network must be time-major (batchFirst: false) inside a SequenceModel"
        case let .invalidSize(name, value):
            "\(name) = \(value), expected an integer >= 1"
        case let .inputShape(expected, got):
            "input has shape \(got), expected \(expected)"
        }
    }
}
