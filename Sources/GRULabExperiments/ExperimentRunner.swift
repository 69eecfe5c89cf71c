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
    /// A run another process holds (``RunError/busy(run:path:holder:)``) is left to it and the
    /// others go on. Once `shouldStop` says yes, the runs going stop at their next step
    /// (``RunStatus/interrupted``) and no other starts. Any other run that cannot start (an
    /// existing file without `resume`, a bad task file) stops the scheduling of further runs;
    /// the runs already going finish, then the error is thrown.
    public func run(_ experiment: ExperimentSpec, selection: Selection = .all, resume: Bool, jobs: Int = 1,
                    started: @escaping @Sendable (RunSpec) -> Void = { _ in },
                    progress: @escaping @Sendable (RunSpec, StepProgress) -> Void = { _, _ in },
                    shouldStop: @escaping @Sendable () -> Bool = { false }) throws -> SweepResult {
        let directory = directory(of: experiment)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let runs = try selection.runs(of: experiment)
        let state = SharedState()
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, runs.count))) { _ in
            while !shouldStop(), let next = state.next(of: runs.count) {
                let run = runs[next]
                started(run)
                do {
                    let outcome = try executor.execute(run, in: directory, resume: resume, progress: { report in
                        progress(run, StepProgress(step: report.step, steps: run.train.steps, loss: report.loss))
                    }, shouldStop: shouldStop)
                    var attributes: [String: AttributeValue] = ["run_index": .int(run.index), "seed": .int(run.seed)]
                    for varied in run.varied { attributes[varied.key] = .string(varied.value) }
                    let index = (directory as NSString).appendingPathComponent("index.h5")
                    do {
                        try ExperimentIndex.register(run: outcome.path, as: run.name, hyperParameters: attributes, in: index)
                    } catch {
                        throw RunError.index(path: index, reason: "\(error)")
                    }
                    state.finished(outcome)
                } catch let error as RunError {
                    if case .busy = error { state.held(error) } else { state.failed(error) }
                } catch {
                    state.failed(error)
                }
            }
        }
        return try state.result(of: runs)
    }
}

/// What a sweep did with the runs it was given.
public struct SweepResult: Sendable {
    /// The runs that ran or were kept, in index order.
    public let outcomes: [RunOutcome]
    /// Runs another process was writing, left to it (``RunError/busy(run:path:holder:)``).
    public let held: [RunError]
    /// Runs not started because the sweep was stopped.
    public let notStarted: [RunSpec]

    /// Whether every run given is complete.
    public var isComplete: Bool {
        held.isEmpty && notStarted.isEmpty && outcomes.allSatisfy { $0.status == .completed }
    }
}

/// The work queue and results shared by the jobs of one ``ExperimentRunner/run``.
private final class SharedState: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var results: [RunOutcome] = []
    private var heldRuns: [RunError] = []
    private var error: Error?

    func next(of count: Int) -> Int? {
        lock.withLock {
            guard error == nil, nextIndex < count else { return nil }
            defer { nextIndex += 1 }
            return nextIndex
        }
    }

    func finished(_ outcome: RunOutcome) { lock.withLock { results.append(outcome) } }

    func held(_ busy: RunError) { lock.withLock { heldRuns.append(busy) } }

    func failed(_ error: Error) { lock.withLock { self.error = self.error ?? error } }

    func result(of runs: [RunSpec]) throws -> SweepResult {
        try lock.withLock {
            if let error { throw error }
            return SweepResult(outcomes: results.sorted { $0.run.index < $1.run.index }, held: heldRuns,
                               notStarted: Array(runs[min(nextIndex, runs.count)...]))
        }
    }
}

/// Where a run is: for progress bars and log lines.
public struct StepProgress: Sendable {
    public let step: Int
    public let steps: Int
    public let loss: Double
}
