import Foundation
import GRULabHDF5
import GRULabTestSupport
import Testing

/// `grulab watch` end to end: one snapshot of finished runs, and following a run as it trains.
@Suite struct WatchCommandTests {
    static let experiment = """
        name: watched
        seed: 2
        task: {name: adding, seq_len: 20}
        model: {cell: gru, hidden_size: 8}
        train: {steps: 30, batch_size: 4, eval_every: 10}
        log: {every: 1, grad_h_every: 10, flush_every: 0.2}
        sweep: {model.cell: [gru, lstm]}
        """

    static func write(in directory: TemporaryDirectory) throws -> String {
        let file = directory.path("watched.yaml")
        try experiment.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func oneSnapshotShowsEachRunAsItsFileHasIt() throws {
        let directory = try TemporaryDirectory()
        let file = try Self.write(in: directory)
        #expect(try CommandLineTool.run(["run", file, "--out", directory.path("results")]).status == 0)
        let results = directory.path("results/watched")
        let result = try CommandLineTool.run(["watch", results, "--once"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("\(results)  ") == true)
        #expect(lines.first?.hasSuffix("  2 runs, 0 running") == true)
        #expect(lines.dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                == "run status step loss eval loss steps/s decay rate")
        for cell in ["gru", "lstm"] {
            let reader = try RunReader(path: "\(results)/cell=\(cell).h5")
            let loss = try reader.series("train_loss", in: "metrics").values.last!
            let evalLoss = try reader.series("loss", in: "eval").values.last!
            let rate = try reader.series("decay_rate", in: "gradients").values.last!
            let row = lines.first { $0.hasPrefix("cell=\(cell) ") }?.split(separator: " ").map(String.init) ?? []
            #expect(row.count == 7)
            #expect(row.prefix(5) == ["cell=\(cell)", "completed", "30/30", String(format: "%.4g", loss),
                                      String(format: "%.4g", evalLoss)])
            #expect(Double(row[5]).map { $0 > 0 } == true)
            #expect(row.last == String(format: "%.4g", rate))
        }
        let one = try CommandLineTool.run(["watch", "\(results)/cell=lstm.h5", "--once"])
        #expect(one.standardOutput.split(separator: "\n").count == 3)
    }

    /// Started before the run writes anything, the watch follows it and ends when it ends.
    @Test func aWatchFollowsARunningExperimentUntilItEnds() throws {
        let directory = try TemporaryDirectory()
        let file = try Self.write(in: directory)
        let results = directory.path("results/watched")
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        let run = Process()
        run.executableURL = CommandLineTool.executable
        run.arguments = ["run", file, "train.steps=400", "--out", directory.path("results")]
        run.standardOutput = FileHandle.nullDevice
        try run.run()
        let watch = try CommandLineTool.run(["watch", results, "--interval", "0.2"])
        run.waitUntilExit()
        #expect(watch.status == 0, "\(watch.standardError)")
        let snapshots = watch.standardOutput.components(separatedBy: "\n\n")
        #expect(snapshots.count > 2)
        #expect(snapshots.contains { $0.contains(" running ") })
        let last = snapshots.last?.split(separator: "\n").map(String.init) ?? []
        #expect(last.first?.hasSuffix("  2 runs, 0 running") == true)
        #expect(last.filter { $0.contains(" completed  400/400 ") }.count == 2)
    }

    @Test func aMissingPathIsAnError() throws {
        let result = try CommandLineTool.run(["watch", "/nonexistent/results"])
        #expect(result.status == 2)
        #expect(result.standardError == "grulab: /nonexistent/results: no such file or directory; "
                + "expected an experiment's results directory or a run file\n")
    }
}
