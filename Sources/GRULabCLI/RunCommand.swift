import ArgumentParser
import Foundation
import GRULabCells
import GRULabExperiments
import GRULabTensor
import _GRULabShims

/// `grulab run FILE [key=value ...] [--out DIR] [--resume] [--run-index I | --shard I/N]`
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: every run of its sweep, results to HDF5 (docs/results-schema.md).",
        discussion: """
            Validates the file and the overrides as `grulab validate` does, then trains each run \
            and writes <out>/<experiment>/<run>.h5 and the experiment's index.h5. A progress line \
            per run on a terminal (log lines otherwise), a summary table at the end. A run another \
            process is writing is left to it. SIGINT (Ctrl-C) or SIGTERM stops every run at its \
            next step, flushed, checkpointed and marked 'failed: interrupted' (a second signal \
            ends the process at once); --resume continues. Exit status: 0 when every run \
            completed, 1 when a run failed (its file records why), 2 for an invalid experiment, \
            a run that could not start or one left to another process, 130 after SIGINT, 143 \
            after SIGTERM.
            """)

    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Argument(help: "Overrides, key=value (train.steps=200, sweep.model.cell=[gru,lstm]).")
    var overrides: [String] = []

    @Option(help: "The results directory.")
    var out = "results"

    @Flag(help: "Continue killed runs from their last checkpoint; keep completed runs.")
    var resume = false

    @Option(name: .customLong("run-index"), help: "Run only the run with this index (0-based), e.g. a Slurm array task.")
    var runIndex: Int?

    @Option(help: "Run only every N-th run starting at I (I/N, 0-based).")
    var shard: String?

    @Option(help: "Runs trained at once, each in its own thread.")
    var jobs = 1

    @Option(help: "BLAS threads per run (default: 2 for one job, 1 each for several).")
    var threads: Int?

    func validate() throws {
        if runIndex != nil, shard != nil { throw ValidationError("--run-index and --shard exclude each other") }
        if let shard, ExperimentRunner.Selection(shard: shard) == nil {
            throw ValidationError("--shard takes I/N with 0 <= I < N, e.g. 0/4; got '\(shard)'")
        }
        if let runIndex, runIndex < 0 { throw ValidationError("--run-index takes an index >= 0; got \(runIndex)") }
        if jobs < 1 { throw ValidationError("--jobs takes a number >= 1; got \(jobs)") }
        if let threads, threads < 1 { throw ValidationError("--threads takes a number >= 1; got \(threads)") }
    }

    func run() throws {
        let experiment = try loadExperiment(file, overrides: overrides)
        setBLASThreads(threads ?? (jobs == 1 ? 2 : 1))
        MemoryPolicy.retainFreedMemory()
        let selection: ExperimentRunner.Selection = runIndex.map { .index($0) }
            ?? shard.flatMap(ExperimentRunner.Selection.init(shard:)) ?? .all
        let runner = ExperimentRunner(executor: RunExecutor(versions: .current(), registry: CLIContext.registry), outputDirectory: out)
        let display = ProgressDisplay(total: experiment.runs.count, inPlace: jobs == 1)
        grulab_trap_interrupts()
        let result: SweepResult
        do {
            result = try runner.run(experiment, selection: selection, resume: resume, jobs: jobs,
                                    started: display.started, progress: display.update,
                                    shouldStop: { grulab_interrupt_signal() != 0 })
        } catch {
            display.finishLine()
            printError("\(error)")
            throw ExitCode(interruptStatus ?? 2)
        }
        display.finishLine()
        print(summary(result.outcomes, directory: runner.directory(of: experiment)))
        fflush(nil)  // the summary before the messages below when both streams go to one place
        for held in result.held { printError("\(held)") }
        if let status = interruptStatus {
            let stopped = result.outcomes.filter { $0.status == .interrupted }.map { "'\($0.run.name)'" }
            printError("interrupted by \(status == 130 ? "SIGINT" : "SIGTERM"): "
                       + (stopped.isEmpty ? "" : "\(stopped.joined(separator: ", ")) stopped, flushed and marked "
                          + "'failed: interrupted'; ")
                       + "\(result.notStarted.count) run\(result.notStarted.count == 1 ? "" : "s") not started; "
                       + "run again with --resume to continue")
            throw ExitCode(status)
        }
        if !result.held.isEmpty { throw ExitCode(2) }
        if !result.isComplete { throw ExitCode(1) }
    }

    /// The conventional exit status after a caught SIGINT (130) or SIGTERM (143), if one came.
    private var interruptStatus: Int32? {
        let signal = grulab_interrupt_signal()
        return signal == 0 ? nil : 128 + signal
    }

    private func summary(_ outcomes: [RunOutcome], directory: String) -> String {
        func number(_ x: Double?) -> String { x.map { String(format: "%.4g", $0) } ?? "-" }
        let header = ["run", "status", "train loss", "eval loss", "accuracy", "baseline", "decay rate: init", "trained",
                      "seconds"]
        let rows = outcomes.map { o in
            [o.run.name, o.skipped ? "\(o.status) (kept)" : o.status.description, number(o.trainLoss), number(o.evalLoss),
             number(o.evalAccuracy), "\(o.baseline.metric) \(number(o.baseline.value))", number(o.initialDecayRate),
             number(o.finalDecayRate),
             o.skipped ? "-" : String(format: "%.1f", o.seconds)]
        }
        let ran = outcomes.filter { !$0.skipped }
        let (runSeconds, trainSeconds) = (ran.reduce(0) { $0 + $1.seconds }, ran.reduce(0) { $0 + $1.trainSeconds })
        // What the runs cost beyond their training steps: the overhead a researcher pays for
        // evaluations, logging and files.
        let time = trainSeconds > 0
            ? String(format: "\n\ntime: %.1f s in runs, %.1f s of it in training steps (%+.1f %% for evaluation, logging and files)",
                     runSeconds, trainSeconds, 100 * (runSeconds / trainSeconds - 1))
            : ""
        return "\n" + formatTable([header] + rows) + time + "\n\nresults: \(directory)/ (index.h5 links every run)"
    }
}

/// One line per run: rewritten in place on a terminal with one job, a log line every few
/// seconds otherwise. Jobs call it from their threads.
final class ProgressDisplay: @unchecked Sendable {
    private let total: Int
    private let inPlace: Bool
    private let lock = NSLock()
    private var lastLine: [Int: ContinuousClock.Instant] = [:]
    private var runStart: [Int: ContinuousClock.Instant] = [:]
    private var hasOpenLine = false

    init(total: Int, inPlace: Bool) {
        self.total = total
        self.inPlace = inPlace && isatty(STDOUT_FILENO) != 0
    }

    func started(_ run: RunSpec) {
        lock.withLock {
            closeLine()
            runStart[run.index] = .now
            lastLine[run.index] = .now
            if !inPlace { emit("[\(run.index + 1)/\(total)] \(run.name): started") }
        }
    }

    func update(_ run: RunSpec, _ progress: StepProgress) {
        lock.withLock {
            let elapsed = ContinuousClock.now - (runStart[run.index] ?? .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let perStep = seconds / Double(max(progress.step, 1))
            let text = "[\(run.index + 1)/\(total)] \(run.name): step \(progress.step)/\(progress.steps) "
                + "loss \(String(format: "%.4g", progress.loss)) \(String(format: "%.1f", perStep * 1000)) ms/step"
            if inPlace {
                let width = 30, filled = width * progress.step / max(progress.steps, 1)
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                print("\r\u{1B}[2K\(bar) \(text)", terminator: "")
                fflush(nil)
                hasOpenLine = true
            } else if ContinuousClock.now - (lastLine[run.index] ?? .now) > .seconds(5) {
                emit(text)
                lastLine[run.index] = .now
            }
        }
    }

    func finishLine() {
        lock.withLock { closeLine() }
    }

    private func closeLine() {
        if hasOpenLine { print("") }
        hasOpenLine = false
    }

    private func emit(_ line: String) {
        print(line)
        fflush(nil)
    }
}
