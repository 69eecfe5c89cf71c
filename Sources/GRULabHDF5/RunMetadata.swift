import Foundation

/// Where a run comes from: written once as root attributes of its results file.
public struct RunMetadata: Sendable, Equatable {
    /// The GRULab version that ran.
    public var grulabVersion: String
    /// The commit of the code that ran, and whether the work tree had uncommitted changes.
    public var gitCommit: String
    public var gitDirty: Bool
    public var seed: Int
    /// The fully resolved run specification, as YAML text.
    public var experimentYAML: String
    /// The Swift compiler that built the code, e.g. `6.3.1`.
    public var swiftVersion: String
    /// The BLAS implementation and its version, e.g. `OpenBLAS 0.3.21`.
    public var blas: String
    public var startedAt: Date
    /// The loss of the task's trivial predictor, the line a loss curve is read against; `nil`
    /// writes no baseline attributes.
    public var baseline: Baseline?

    /// The root attributes `baseline_metric` (e.g. `mse`, `cross_entropy`) and `baseline`.
    public struct Baseline: Sendable, Equatable {
        public var metric: String
        public var value: Double

        public init(metric: String, value: Double) {
            self.metric = metric
            self.value = value
        }
    }

    public init(grulabVersion: String, gitCommit: String, gitDirty: Bool, seed: Int,
                experimentYAML: String, swiftVersion: String, blas: String, startedAt: Date = Date(),
                baseline: Baseline? = nil) {
        self.grulabVersion = grulabVersion
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.seed = seed
        self.experimentYAML = experimentYAML
        self.swiftVersion = swiftVersion
        self.blas = blas
        self.startedAt = startedAt
        self.baseline = baseline
    }
}

/// How a run ended, or that it has not (yet): the root attribute `status`.
public enum RunStatus: Sendable, Equatable, CustomStringConvertible {
    case running
    case completed
    case failed(reason: String)

    /// A run stopped by SIGINT or SIGTERM, flushed and checkpointed: `failed: interrupted`.
    /// `grulab run --resume` continues it.
    public static let interrupted = RunStatus.failed(reason: "interrupted")

    /// `running`, `completed` or `failed: <reason>`, as stored in the file.
    public var description: String {
        switch self {
        case .running: return "running"
        case .completed: return "completed"
        case .failed(let reason): return "failed: \(reason)"
        }
    }

    /// Parses the stored form; `nil` for anything else.
    public init?(_ stored: String) {
        switch stored {
        case "running": self = .running
        case "completed": self = .completed
        default:
            guard stored.hasPrefix("failed: ") else { return nil }
            self = .failed(reason: String(stored.dropFirst("failed: ".count)))
        }
    }
}

/// ISO 8601 with fractional seconds, in UTC: the form of `started_at` and `finished_at`.
func iso8601(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)
        .timeZone(separator: .omitted))
}
