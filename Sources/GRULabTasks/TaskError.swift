/// A task that cannot be built: an unknown name, a bad hyper-parameter, or a data file that
/// does not have the documented layout.
public enum TaskError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No task has this name.
    case unknownTask(String, known: [String])
    /// The task has no hyper-parameter of this name.
    case unknownParameter(task: String, name: String, known: [String])
    /// A hyper-parameter of the wrong type.
    case wrongType(task: String, name: String, expected: String)
    /// A required hyper-parameter is missing.
    case missingParameter(task: String, name: String)
    /// A hyper-parameter out of its range.
    case invalidParameter(task: String, name: String, value: String, expected: String)
    /// A data file cannot be opened or read.
    case unreadableFile(file: String, reason: String)
    /// A required dataset is missing from a data file.
    case missingDataset(file: String, dataset: String)
    /// A dataset has a shape other than the documented one.
    case datasetShape(file: String, dataset: String, shape: [Int], expected: String)
    /// A dataset's values break the documented rules (a class below 0, a length out of range…).
    case invalidData(file: String, dataset: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownTask(name, known):
            "unknown task '\(name)'; known tasks: \(known.joined(separator: ", "))"
        case let .unknownParameter(task, name, known):
            "task '\(task)' has no parameter '\(name)'; its parameters: \(known.joined(separator: ", "))"
        case let .wrongType(task, name, expected):
            "task '\(task)': parameter '\(name)' must be \(expected)"
        case let .missingParameter(task, name):
            "task '\(task)' needs the parameter '\(name)'"
        case let .invalidParameter(task, name, value, expected):
            "task '\(task)': \(name) = \(value), expected \(expected)"
        case let .unreadableFile(file, reason):
            "cannot read the sequences file '\(file)': \(reason)"
        case let .missingDataset(file, dataset):
            "the sequences file '\(file)' has no dataset '\(dataset)'"
        case let .datasetShape(file, dataset, shape, expected):
            "dataset '\(dataset)' in '\(file)' has shape \(shape), expected \(expected)"
        case let .invalidData(file, dataset, reason):
            "dataset '\(dataset)' in '\(file)': \(reason)"
        }
    }
}

/// Throws ``TaskError/invalidParameter(task:name:value:expected:)`` unless `condition`.
func require(_ condition: Bool, task: String, _ name: String, _ value: some Any, _ expected: String) throws(TaskError) {
    guard condition else {
        throw .invalidParameter(task: task, name: name, value: "\(value)", expected: expected)
    }
}
