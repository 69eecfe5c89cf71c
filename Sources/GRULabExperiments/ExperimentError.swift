/// One thing wrong with an experiment file or an override, found before anything runs.
///
/// Every message starts with its ``Origin`` and, where there is one, the key path, so that
/// a researcher can go straight to the line:
///
/// ```
/// experiments/x.yaml:7: model.hiden_size: unknown key; did you mean 'hidden_size'?
/// experiments/x.yaml:9: train.lr: expected a positive number, found 'fast'
/// override 'train.lr=fast': train.lr: expected a positive number, found 'fast'
/// ```
public enum ExperimentError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The file cannot be read (`reason`: `no such file`, `permission denied`, …).
    case unreadable(file: String, reason: String)
    /// The text is not YAML.
    case syntax(Origin, problem: String)
    /// An override without `=`.
    case malformedOverride(String)
    /// A key the schema does not have; `suggestion` is the nearest known key at that level.
    case unknownKey(Origin, key: String, suggestion: String?, known: [String])
    /// A value of the wrong type or out of range; `found` is already quoted for display.
    case invalidValue(Origin, key: String, expected: String, found: String, suggestion: String?)
    /// A required key that neither the file, an override nor the sweep sets.
    case missing(Origin, key: String, expected: String)
    /// A cell name that is not among the known cells.
    case unknownCell(Origin, key: String, name: String, suggestion: String?, known: [String])
    /// A task name that is not a known task.
    case unknownTask(Origin, key: String, name: String, suggestion: String?, known: [String])
    /// A parameter of another task (`task.symbols` on the adding problem).
    case notApplicable(Origin, key: String, task: String, appliesTo: [String])
    /// Anything else about one key: a duplicate sweep value, a section overridden as a whole, …
    case conflict(Origin, key: String, problem: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the experiment file: \(reason)"
        case let .syntax(origin, problem):
            return "\(origin): YAML syntax error: \(problem)"
        case let .malformedOverride(text):
            return "override '\(text)': expected key=value, e.g. model.cell=gru"
        case let .unknownKey(origin, key, suggestion, known):
            return "\(origin): \(key): unknown key; " + Self.hint(suggestion, known: known, noun: "keys")
        case let .invalidValue(origin, key, expected, found, suggestion):
            return "\(origin): \(key): expected \(expected), found \(found)" + Self.didYouMean(suggestion, separator: "; ")
        case let .missing(origin, key, expected):
            return "\(origin): \(key): missing; expected \(expected)"
        case let .unknownCell(origin, key, name, suggestion, known):
            return "\(origin): \(key): unknown cell '\(name)'; " + Self.hint(suggestion, known: known, noun: "cells")
        case let .unknownTask(origin, key, name, suggestion, known):
            return "\(origin): \(key): unknown task '\(name)'; " + Self.hint(suggestion, known: known, noun: "tasks")
        case let .notApplicable(origin, key, task, appliesTo):
            return "\(origin): \(key): not a parameter of task '\(task)'; it applies to \(appliesTo.joined(separator: ", "))"
        case let .conflict(origin, key, problem):
            return "\(origin): \(key): \(problem)"
        }
    }

    /// The nearest name when one is near enough, else the whole list.
    private static func hint(_ suggestion: String?, known: [String], noun: String) -> String {
        suggestion.map { "did you mean '\($0)'?" } ?? "known \(noun): \(known.joined(separator: ", "))"
    }

    private static func didYouMean(_ suggestion: String?, separator: String) -> String {
        suggestion.map { "\(separator)did you mean '\($0)'?" } ?? ""
    }
}

/// Every error of one experiment file and its overrides, in the order found: the file's in
/// document order, then the overrides', then those of the resolved runs.
public struct ExperimentErrors: Error, CustomStringConvertible, Sendable, Equatable {
    public var errors: [ExperimentError]

    public init(_ errors: [ExperimentError]) {
        self.errors = errors
    }

    /// One message a line.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
