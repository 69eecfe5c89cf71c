import Foundation
import GRULabHDF5
import GRULabTestSupport
import Testing

/// Two `grulab run` processes on one experiment and results directory: a run is written by one
/// process only, the other is told which process holds it, and the files and index end as one
/// process alone would have left them (docs/reliability.md).
@Suite(.serialized) struct ConcurrentRunTests {
    /// Two runs of a few seconds each in a debug build.
    static let experiment = """
        name: shared
        task: {name: adding, seq_len: 20}
        model: {cell: gru, hidden_size: 16}
        train: {steps: 300, batch_size: 8, eval_every: 100, checkpoint_every: 50}
        log: {every: 1, grad_h_every: 25, flush_every: 0.2}
        sweep: {seed: [1, 2]}
        """

    func write(in directory: TemporaryDirectory) throws -> String {
        let path = directory.path("shared.yaml")
        try Self.experiment.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Waits until `path` exists, or fails after a minute.
    func waitFor(_ path: String) throws {
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: path) {
            guard Date() < deadline else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
            usleep(5_000)
        }
    }

    @Test func twoProcessesOnOneSweepNeverShareARun() throws {
        let directory = try TemporaryDirectory()
        let file = try write(in: directory)
        #expect(try CommandLineTool.run(["run", file, "--out", directory.path("alone")]).status == 0)

        let out = directory.path("together")
        let first = try CommandLineTool.start(["run", file, "--out", out, "--resume"], log: directory.path("first.log"))
        try waitFor(out + "/shared/seed=1.h5.lock")
        let second = try CommandLineTool.run(["run", file, "--out", out, "--resume"])
        #expect(CommandLineTool.wait(for: first))

        // The second found the first writing seed=1, left it, and ran seed=2 meanwhile.
        #expect(second.status == 2)
        #expect(second.standardError.contains(
            "grulab: run 'seed=1': \(out)/shared/seed=1.h5 is being written by process \(first.processIdentifier) on "),
                "\(second.standardError)")
        #expect(second.standardError.contains("; left to it (run again with --resume once it has finished)\n"))
        #expect(second.standardOutput.contains("seed=2  completed"))
        // The first either found seed=2 held by the second or already complete.
        #expect([0, 2].contains(first.terminationStatus))

        for run in ["seed=1", "seed=2"] {
            let together = try allSeries("\(out)/shared/\(run).h5")
            #expect(sameSeries(together, try allSeries(directory.path("alone/shared/\(run).h5"))), "\(run)")
            #expect(try RunReader(path: "\(out)/shared/\(run).h5").status == .completed)
            #expect(!FileManager.default.fileExists(atPath: "\(out)/shared/\(run).h5.lock"), "released locks are removed")
        }
        #expect(try ExperimentIndex.runNames(in: "\(out)/shared/index.h5") == ["seed=1", "seed=2"])
    }

    /// The same Slurm array task started twice: the second leaves the run alone at once.
    @Test func theSameRunTwiceLeavesItToTheFirst() throws {
        let directory = try TemporaryDirectory()
        let file = try write(in: directory)
        let out = directory.path("out")
        let arguments = ["run", file, "--out", out, "--run-index", "0", "--resume"]
        let first = try CommandLineTool.start(arguments, log: directory.path("first.log"))
        try waitFor(out + "/shared/seed=1.h5.lock")
        let second = try CommandLineTool.run(arguments)
        #expect(second.status == 2)
        #expect(second.standardError.hasPrefix(
            "grulab: run 'seed=1': \(out)/shared/seed=1.h5 is being written by process \(first.processIdentifier) on "))
        #expect(CommandLineTool.wait(for: first))
        #expect(first.terminationStatus == 0)
        #expect(try RunReader(path: "\(out)/shared/seed=1.h5").steps(in: "metrics") == Array(0..<300))
        #expect(try ExperimentIndex.runNames(in: "\(out)/shared/index.h5") == ["seed=1"])
    }
}
