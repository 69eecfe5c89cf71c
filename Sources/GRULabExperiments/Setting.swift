/// One key of an experiment file: its path, what it accepts, its default and its meaning.
/// The table of all of them, ``Setting/catalog``, drives validation, defaults, the resolved
/// YAML and the did-you-mean suggestions, so that none of these can disagree.
struct Setting: Sendable {
    /// How a setting gets a value the file does not give.
    enum Default: Sendable {
        case required
        case value(SettingValue)
        /// Computed from the settings before it in the catalog (`model.head` from the task).
        case derived(@Sendable ([String: SettingValue]) -> SettingValue)
    }

    /// The dotted key path, e.g. `model.hidden_size`.
    let path: String
    let kind: ValueKind
    let `default`: Default
    /// The tasks this key is a parameter of; `nil` for every task.
    let tasks: [String]?
    /// May a sweep vary it (not the experiment's name).
    let sweepable: Bool

    init(_ path: String, _ kind: ValueKind, _ default: Default, tasks: [String]? = nil, sweepable: Bool = true) {
        self.path = path
        self.kind = kind
        self.default = `default`
        self.tasks = tasks
        self.sweepable = sweepable
    }

    /// The last path component, the label of a sweep axis in run names.
    var leaf: String { String(path.split(separator: ".").last!) }

    /// Whether the key belongs to a run of `task`.
    func applies(to task: String?) -> Bool {
        guard let tasks, let task else { return true }
        return tasks.contains(task)
    }
}
