/// One fully resolved run: every default filled in, the sweep applied.
///
/// ``yaml`` writes it back as an experiment file without a sweep that loads to this run
/// again (all but ``index`` and ``varied``, which belong to the grid it came from).
public struct RunSpec: Sendable, Hashable {
    /// One swept key and this run's value of it, as the resolved YAML writes it.
    public struct VariedValue: Sendable, Hashable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Position in the experiment's grid, from 0.
    public var index: Int
    /// The experiment's name.
    public var experiment: String
    /// The run's name, unique in the experiment and safe as a file name (``RunName``).
    public var name: String
    /// The sweep's values for this run, in axis order; empty without a sweep.
    public var varied: [VariedValue]
    public var seed: Int
    public var task: TaskSpec
    public var model: ModelSpec
    public var train: TrainSpec
    public var log: LogSpec

    /// The flat resolved values the YAML is written from, in catalog order.
    let values: [(path: String, value: SettingValue)]

    public static func == (a: RunSpec, b: RunSpec) -> Bool {
        a.index == b.index && a.experiment == b.experiment && a.name == b.name && a.varied == b.varied
            && a.seed == b.seed && a.task == b.task && a.model == b.model && a.train == b.train && a.log == b.log
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(experiment)
        hasher.combine(name)
        hasher.combine(index)
    }
}
