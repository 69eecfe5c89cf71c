import Foundation
import GRULabHDF5
import GRULabTensor
import GRULabTestSupport
import Testing

/// A sweep killed and interrupted at random points, then resumed until it finishes: every run
/// ends complete and equal, bit for bit, to the runs of a sweep never interrupted. SIGTERM and
/// SIGINT stop the run at its next step, flushed, checkpointed and marked `failed: interrupted`,
/// with exit status 143 and 130 (docs/reliability.md).
@Suite(.serialized) struct InterruptionTests {
    static let experiment = """
        name: faults
        seed: 5
        task: {name: adding, seq_len: 16}
        model: {cell: gru, hidden_size: 12}
        train: {steps: 600, batch_size: 8, eval_every: 50, checkpoint_every: 20}
        log: {every: 1, grad_h_every: 10, flush_every: 0.1}
        sweep: {model.cell: [gru, zoneout-lstm, mingru]}
        """
    static let runs = ["cell=gru", "cell=zoneout-lstm", "cell=mingru"]

    @Test func killedAndInterruptedAtRandomPointsTheSweepResumesToTheSameResults() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("faults.yaml")
        try Self.experiment.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try CommandLineTool.run(["run", file, "--out", directory.path("straight")]).status == 0)

        let out = directory.path("faulted")
        var generator = SeededGenerator(seed: 42)
        // Each kind of signal once, in a random order, then random ones; the last attempt runs to the end.
        let planned = [SIGKILL, SIGTERM, SIGINT].shuffled(using: &generator)
            + (0..<8).map { _ in [SIGKILL, SIGTERM, SIGINT].randomElement(using: &generator)! } + [0]
        var signals: [Int32] = []
        var finished = false
        for (attempt, signal) in planned.enumerated() {
            let log = directory.path("attempt-\(attempt).log")
            let process = try CommandLineTool.start(["run", file, "--out", out, "--resume"], log: log)
            if signal != 0 {
                usleep(UInt32(Int.random(in: 200_000...1_200_000, using: &generator)))
                kill(process.processIdentifier, signal)
            }
            #expect(CommandLineTool.wait(for: process), "the process exits after the signal")
            let printed = try String(contentsOfFile: log, encoding: .utf8)
            if process.terminationReason == .exit && process.terminationStatus == 0 {
                finished = true
                break
            }
            signals.append(signal)
            switch signal {
            case SIGKILL:
                #expect(process.terminationReason == .uncaughtSignal)
            default:
                #expect(process.terminationStatus == 128 + signal, "\(printed)")
                #expect(printed.contains("grulab: interrupted by \(signal == SIGTERM ? "SIGTERM" : "SIGINT"): "), "\(printed)")
                try checkInterruptedRuns(in: out + "/faults")
            }
        }
        #expect(finished)
        #expect(Set(signals).count == 3, "every kind of signal was tried: \(signals)")
        for run in Self.runs {
            let path = "\(out)/faults/\(run).h5"
            #expect(try RunReader(path: path).status == .completed)
            #expect(sameSeries(try allSeries(path), try allSeries(directory.path("straight/faults/\(run).h5"))), "\(run)")
            #expect(!FileManager.default.fileExists(atPath: path + ".previous"))
        }
        #expect(try ExperimentIndex.runNames(in: "\(out)/faults/index.h5") == Self.runs.sorted())
    }

    /// A run stopped by a signal is marked interrupted, and everything up to its checkpoint,
    /// written at the stop, is in its file.
    func checkInterruptedRuns(in directory: String) throws {
        for run in Self.runs {
            let path = "\(directory)/\(run).h5"
            guard FileManager.default.fileExists(atPath: path), try RunReader(path: path).status == .interrupted else { continue }
            let checkpoint = try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(run).checkpoint.json"))) as! [String: Any]
            let steps = try RunReader(path: path).steps(in: "metrics")
            #expect(steps == Array(0..<(checkpoint["step"] as! Int)), "\(run): flushed up to the stop")
        }
    }
}
