import Foundation
import GRULabHDF5
import GRULabTestSupport
import Testing

/// `grulab run` end to end: files, exit codes, and resuming a killed run.
@Suite(.serialized) struct RunCommandTests {
    static let experiment = """
        name: tiny
        seed: 3
        task: {name: adding, seq_len: 12}
        model: {cell: gru, hidden_size: 8}
        train: {steps: 240, batch_size: 8, optimizer: adam, lr: 0.01, eval_every: 40, checkpoint_every: 20}
        log: {every: 1, grad_h_every: 10, flush_every: 0.5}
        sweep: {model.cell: [gru, zoneout-lstm]}
        """

    func write(_ text: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.path("tiny.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aRunWritesEveryRunFileAndTheIndex() throws {
        let directory = try TemporaryDirectory()
        let file = try write(Self.experiment, in: directory)
        let result = try CommandLineTool.run(["run", file, "train.steps=40", "--out", directory.path("out")])
        #expect(result.status == 0, "\(result.standardError)")
        let summary = result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("cell=") }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ") }
        #expect(summary == ["cell=gru completed", "cell=zoneout-lstm completed"])
        let names = try ExperimentIndex.runNames(in: directory.path("out/tiny/index.h5"))
        #expect(names.sorted() == ["cell=gru", "cell=zoneout-lstm"])
        let reader = try RunReader(path: directory.path("out/tiny/cell=gru.h5"))
        #expect(try reader.status == .completed)
        #expect(try reader.steps(in: "eval") == [0, 40])
        #expect(try reader.steps(in: "metrics") == Array(0..<40))
        #expect(try reader.stringAttribute("experiment_yaml").contains("cell: gru"))
    }

    @Test func aRunFileIsNotOverwrittenWithoutResume() throws {
        let directory = try TemporaryDirectory()
        let file = try write(Self.experiment, in: directory)
        let arguments = ["run", file, "train.steps=20", "sweep.model.cell=[gru]", "--out", directory.path("out")]
        #expect(try CommandLineTool.run(arguments).status == 0)
        let again = try CommandLineTool.run(arguments)
        #expect(again.status == 2)
        #expect(again.standardError == "grulab: \(directory.path("out/tiny/cell=gru.h5")) exists from an earlier run; "
                + "pass --resume to continue it (completed runs are kept), or remove it\n")
        let kept = try CommandLineTool.run(arguments + ["--resume"])
        #expect(kept.status == 0)
        #expect(kept.standardOutput.contains("completed (kept)"))
    }

    /// Killed with SIGKILL after a checkpoint, then resumed: the same file as a run never killed.
    @Test func aKilledRunResumesToTheSameResults() throws {
        let directory = try TemporaryDirectory()
        let file = try write(Self.experiment, in: directory)
        let common = [file, "sweep.model.cell=[zoneout-lstm]"]
        #expect(try CommandLineTool.run(["run"] + common + ["--out", directory.path("straight")]).status == 0)

        let process = Process()
        process.executableURL = CommandLineTool.executable
        process.arguments = ["run"] + common + ["--out", directory.path("killed")]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let checkpoint = directory.path("killed/tiny/cell=zoneout-lstm.checkpoint.json")
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: checkpoint), Date() < deadline { usleep(2_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let interrupted = try RunReader(path: directory.path("killed/tiny/cell=zoneout-lstm.h5"))
        #expect(try interrupted.status == .running)

        let resumed = try CommandLineTool.run(["run"] + common + ["--out", directory.path("killed"), "--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let a = try allSeries(directory.path("straight/tiny/cell=zoneout-lstm.h5"))
        let b = try allSeries(directory.path("killed/tiny/cell=zoneout-lstm.h5"))
        #expect(sameSeries(a, b))
        #expect(a["metrics/step"]!.count == 240)
    }

    @Test(arguments: [
        (["model.cell=convgru", "sweep.model.cell=[convgru]"],
         "grulab: model.cell: 'convgru' is convolutional: it needs a task whose steps are frames (spatial-recall), not 'adding'\n"),
        (["task.name=spatial-recall", "model.cell=convgru", "model.kernel_size=2", "sweep.model.cell=[convgru]"],
         "grulab: model.kernel_size: kernel_size must be an odd positive integer ('same' padding), got 2\n"),
    ])
    func aConvolutionalCellNeedsFramesAndAnOddKernel(arguments: [String], message: String) throws {
        let directory = try TemporaryDirectory()
        let file = try write(Self.experiment, in: directory)
        let result = try CommandLineTool.run(["run", file, "train.steps=2", "--out", directory.path("out")] + arguments)
        #expect(result.status == 2)
        #expect(result.standardError == message)
    }

    @Test(arguments: [
        (["--run-index", "5"], "grulab: --run-index 5: the experiment has runs 0...1\n"),
        (["--shard", "2/2"], "Error: --shard takes I/N with 0 <= I < N, e.g. 0/4; got '2/2'\n"),
        (["--run-index", "0", "--shard", "0/2"], "Error: --run-index and --shard exclude each other\n"),
    ])
    func badSelectionsAreErrors(arguments: [String], message: String) throws {
        let directory = try TemporaryDirectory()
        let file = try write(Self.experiment, in: directory)
        let result = try CommandLineTool.run(["run", file, "train.steps=2", "--out", directory.path("out")] + arguments)
        #expect(result.status != 0)
        #expect(result.standardError.hasPrefix(message.trimmingCharacters(in: .newlines)))
    }
}
