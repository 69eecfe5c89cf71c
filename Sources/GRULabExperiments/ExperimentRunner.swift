import Foundation
import GRULabHDF5

/// Runs the runs of an experiment, one after the other, into `<out>/<experiment>/`, and links
/// each finished run into the experiment's `index.h5` with its varied values as attributes.
public struct ExperimentRunner: Sendable {
    /// Which runs of the sweep this process runs: all, one (a Slurm array task), or every
    /// `count`-th starting at `index` (a shard).
    public enum Selection: Sendable, Equatable {
        case all
        case index(Int)
        case shard(index: Int, count: Int)

        /// Parses `I/N` for a shard.
        public init?(shard text: String) {
            let parts = text.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, parts[1] >= 1, (0..<parts[1]).contains(parts[0]) else { return nil }
            self = .shard(index: parts[0], count: parts[1])
        }

        func runs(of experiment: ExperimentSpec) throws -> [RunSpec] {
            switch self {
            case .all:
                return experiment.runs
            case let .index(i):
                guard experiment.runs.indices.contains(i) else {
                    throw RunError.selection("--run-index \(i): the experiment has runs 0...\(experiment.runs.count - 1)")
                }
                return [experiment.runs[i]]
            case let .shard(index, count):
                return experiment.runs.filter { $0.index % count == index }
            }
        }
    }

    public let executor: RunExecutor
    public let outputDirectory: String

    public init(executor: RunExecutor, outputDirectory: String) {
        self.executor = executor
        self.outputDirectory = outputDirectory
    }

    /// The directory of an experiment's run files and index.
    public func directory(of experiment: ExperimentSpec) -> String {
        (outputDirectory as NSString).appendingPathComponent(RunName.sanitized(experiment.name))
    }

    /// Runs the selected runs, `jobs` at a time (each in its own thread; set BLAS to one thread
    /// per job), and links each finished run into the index. `started` is called before each
    /// run, `progress` after each logged step, from the run's thread.
    ///
    /// A run that cannot start (an existing file without `resume`, a bad task file) stops the
    /// scheduling of further runs; the runs already going finish, then the error is thrown.
    public func run(_ experiment: ExperimentSpec, selection: Selection = .all, resume: Bool, jobs: Int = 1,
                    started: @escaping @Sendable (RunSpec) -> Void = { _ in },
                    progress: @escaping @Sendable (RunSpec, StepProgress) -> Void = { _, _ in }) throws -> [RunOutcome] {
        let directory = directory(of: experiment)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let runs = try selection.runs(of: experiment)
        let state = SharedState()
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, runs.count))) { _ in
            while let next = state.next(of: runs.count) {
                let run = runs[next]
                started(run)
                do {
                    let outcome = try executor.execute(run, in: directory, resume: resume) { report in
                        progress(run, StepProgress(step: report.step, steps: run.train.steps, loss: report.loss))
                    }
                    var attributes: [String: AttributeValue] = ["run_index": .int(run.index), "seed": .int(run.seed)]
                    for varied in run.varied { attributes[varied.key] = .string(varied.value) }
                    let index = (directory as NSString).appendingPathComponent("index.h5")
                    do {
                        try ExperimentIndex.register(run: outcome.path, as: run.name, hyperParameters: attributes, in: index)
                    } catch {
                        throw RunError.index(path: index, reason: "\(error)")
                    }
                    state.finished(outcome)
                } catch {
                    state.failed(error)
                }
            }
        }
        return try state.outcomes()
    }
}

/// The work queue and results shared by the jobs of one ``ExperimentRunner/run``.
private final class SharedState: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var results: [RunOutcome] = []
    private var error: Error?

    func next(of count: Int) -> Int? {
        lock.withLock {
            guard error == nil, nextIndex < count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }

    func finished(_ outcome: RunOutcome) { lock.withLock { results.append(outcome) } }

    func failed(_ error: Error) { lock.withLock { self.error = self.error ?? error } }

    func outcomes() throws -> [RunOutcome] {
        try lock.withLock {
            if let error { throw error }
            return results.sorted { $0.run.index < $1.run.index }
        }
    }
}

/// Where a run is: for progress bars and log lines.
public struct StepProgress: Sendable {
    public let step: Int
    public let steps: Int
    public let loss: Double
}
