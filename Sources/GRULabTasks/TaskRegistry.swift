/// A task hyper-parameter's value, as an experiment file gives it.
public enum TaskParameter: Sendable, Equatable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)

    public var description: String {
        switch self {
        case let .int(v): "\(v)"
        case let .double(v): "\(v)"
        case let .string(v): "'\(v)'"
        }
    }
}

/// Tasks by name, with their hyper-parameters, for the experiment runner.
///
/// ```swift
/// let task = try TaskRegistry.builtIn.make("adding", parameters: ["seq_len": .int(100)])
/// ```
///
/// | task | parameters (default) |
/// |---|---|
/// | `adding` | `seq_len` (100), `eval_size` (512) |
/// | `copy` | `seq_len` = the delay T (100; sequences have T + 20 steps), `eval_size` (512) |
/// | `selective-copy` | `seq_len` = the context T (64; sequences have T + K steps), `tokens` K (4), `vocab` V (8), `eval_size` (512) |
/// | `sequences` | `path` (required), `eval_size` (S/10, at least 1) |
/// | `spatial-recall` | `seq_len` T (50), `size` S (8; frames S × S), `eval_size` (512) |
public struct TaskRegistry: Sendable {
    /// One task: its name, its parameters with their defaults, and how to make it.
    public struct Descriptor: Sendable {
        public let name: String
        /// The parameters it accepts, with their defaults (`nil`: required, or computed).
        public let parameters: [(name: String, default: TaskParameter?)]
        let make: @Sendable (Arguments) throws(TaskError) -> any SequenceTask
    }

    /// The tasks in registration order.
    public let descriptors: [Descriptor]

    /// `adding`, `copy`, `selective-copy`, `sequences`, `spatial-recall`.
    public static let builtIn = TaskRegistry(descriptors: [
        Descriptor(name: "adding", parameters: [("seq_len", .int(100)), ("eval_size", .int(512))]) { a throws(TaskError) in
            try AddingTask(sequenceLength: a.int("seq_len"), evaluationSize: a.int("eval_size"))
        },
        Descriptor(name: "copy", parameters: [("seq_len", .int(100)), ("eval_size", .int(512))]) { a throws(TaskError) in
            try CopyTask(delay: a.int("seq_len"), evaluationSize: a.int("eval_size"))
        },
        Descriptor(name: "selective-copy",
                   parameters: [("seq_len", .int(64)), ("tokens", .int(4)), ("vocab", .int(8)), ("eval_size", .int(512))]) { a throws(TaskError) in
            try SelectiveCopyTask(contextLength: a.int("seq_len"), tokens: a.int("tokens"),
                                  vocabulary: a.int("vocab"), evaluationSize: a.int("eval_size"))
        },
        Descriptor(name: "sequences", parameters: [("path", nil), ("eval_size", nil)]) { a throws(TaskError) in
            try SequencesTask(path: a.string("path"), evaluationSize: a.optionalInt("eval_size"))
        },
        Descriptor(name: "spatial-recall", parameters: [("seq_len", .int(50)), ("size", .int(8)), ("eval_size", .int(512))]) { a throws(TaskError) in
            try SpatialRecallTask(sequenceLength: a.int("seq_len"), size: a.int("size"), evaluationSize: a.int("eval_size"))
        },
    ])

    /// The names, in registration order.
    public var names: [String] { descriptors.map(\.name) }

    /// The task called `name` with `parameters` over the defaults.
    ///
    /// - Throws: ``TaskError/unknownTask(_:known:)`` listing the known tasks, or a parameter
    ///   error naming the task and the parameter.
    public func make(_ name: String, parameters: [String: TaskParameter] = [:]) throws(TaskError) -> any SequenceTask {
        guard let descriptor = descriptors.first(where: { $0.name == name }) else {
            throw .unknownTask(name, known: names)
        }
        let known = descriptor.parameters.map(\.name)
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw .unknownParameter(task: name, name: unknown, known: known)
        }
        var values: [String: TaskParameter] = [:]
        for (key, value) in descriptor.parameters { values[key] = parameters[key] ?? value }
        return try descriptor.make(Arguments(task: name, values: values))
    }

    /// The resolved parameters handed to a descriptor.
    struct Arguments {
        let task: String
        let values: [String: TaskParameter?]

        func optionalInt(_ key: String) throws(TaskError) -> Int? {
            switch values[key] ?? nil {
            case nil: return nil
            case let .int(v)?: return v
            default: throw .wrongType(task: task, name: key, expected: "an integer")
            }
        }
        func int(_ key: String) throws(TaskError) -> Int {
            guard let v = try optionalInt(key) else { throw .missingParameter(task: task, name: key) }
            return v
        }
        func string(_ key: String) throws(TaskError) -> String {
            switch values[key] ?? nil {
            case nil: throw .missingParameter(task: task, name: key)
            case let .string(v)?: return v
            default: throw .wrongType(task: task, name: key, expected: "a string")
            }
        }
    }
}
