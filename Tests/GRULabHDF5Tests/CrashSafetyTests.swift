import Foundation
import GRULabHDF5
import Testing

/// Writers in child processes (Tests/HDF5WriterProbe): killed, out of space, racing on an index.
@Suite("Crash safety and concurrency")
struct CrashSafetyTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    @Test func killedWriterLeavesEveryFlushedStep() throws {
        let path = directory.path("killed.h5")
        let probe = try Probe(["crash", path])
        var flushed = -1
        while flushed < 60, let line = probe.nextLine() {
            if line.hasPrefix("flushed ") { flushed = Int(line.dropFirst("flushed ".count)) ?? -1 }
            // A reader follows the file while it is written (SWMR).
            if flushed == 29 {
                let following = try RunReader(path: path)
                #expect(try following.steps(in: "metrics").count >= 30)
                #expect(try following.status == .running)
            }
        }
        probe.kill()
        #expect(probe.process.terminationReason == .uncaughtSignal)
        #expect(flushed >= 60)

        let reader = try RunReader(path: path)
        #expect(try reader.status == .running)
        let steps = try reader.steps(in: "metrics")
        #expect(steps.count > flushed)
        #expect(steps == Array(0..<steps.count))
        let loss = try reader.series("train_loss", in: "metrics").values
        #expect(loss == steps.map { 1 / Double($0 + 1) })
        let norms = try reader.series("dL_dh_norm", in: "gradients")
        #expect(norms.shape[0] >= flushed + 1)
        // Step `flushed`, layer 1, the last t: (layer + 1) * 0.5^0 / (step + 1), stored as Float.
        #expect(norms.values[flushed * 16 + 15] == Double(Float(2.0 / Double(flushed + 1))))
        let weights = try reader.series("param_grad_norm/weight_hh_l0", in: "gradients").values
        #expect(weights.prefix(flushed + 1) == ArraySlice((0...flushed).map { 1 + Double($0) }))
    }

    /// The series of the probe's run files (Tests/HDF5WriterProbe/main.swift).
    static let probeSeries = [
        "metrics": ["train_loss", "grad_norm", "learning_rate", "wall_time"], "eval": ["loss", "accuracy"],
        "gradients": ["dL_dh_norm", "decay_rate"]
            + ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"].map { "param_grad_norm/\($0)" },
        "gates": ["update_mean", "update_saturated"],
    ]

    /// A flush is many writes; a writer killed at any one of them leaves each step with its
    /// values (the series are written before their steps), so that every reader indexing a
    /// series by its steps, `--resume` first, reads a killed run.
    @Test func aWriterKilledAtAnyWriteOfAFlushLeavesEveryStepWithItsValues() throws {
        var write = 1
        while true {
            let path = directory.path("killed-at-\(write).h5")
            let probe = try Probe(["kill-in-flush", path, "\(write)"])
            let lines = probe.remainingLines()
            probe.wait()
            if probe.process.terminationReason == .exit {
                #expect(lines == ["flushed in \(write - 1) writes"])
                break
            }
            let reader = try RunReader(path: path)
            for (group, names) in Self.probeSeries {
                let steps = try reader.steps(in: group)
                #expect(steps.count >= (group == "eval" ? 1 : 10), "the first flush is intact")
                for name in names {
                    #expect(try reader.series(name, in: group).shape[0] == steps.count, "\(group)/\(name), write \(write)")
                }
            }
            write += 1
        }
        #expect(write > 20, "a flush of four groups is many writes")
    }

    @Test func plainReadOnlyOpenOfAKilledFileIsRefusedWithTheReason() throws {
        let path = directory.path("killed-plain.h5")
        let probe = try Probe(["crash", path])
        while let line = probe.nextLine(), line != "flushed 2" {}
        probe.kill()
        let error = #expect(throws: HDF5Error.self) { try HDF5File(opening: path, mode: .readOnly) }
        #expect(error?.description.contains("file is already open for write") == true)
        #expect(try RunReader(path: path).steps(in: "metrics").count >= 3)
    }

    @Test func fullDiskGivesAClearErrorAndAValidFile() throws {
        let path = directory.path("full.h5")
        let (status, lines) = try Probe.run(["fill", path, "300000"])
        #expect(status == 1)
        let flushed = lines.compactMap { line in
            line.hasPrefix("flushed ") ? Int(line.dropFirst("flushed ".count)) : nil
        }
        #expect(flushed.count >= 2)
        #expect(lines.contains(
            "error: no space left writing '/metrics/noise' to HDF5 file '\(path)' (File too large); "
                + "data flushed before this point is intact"))

        let reader = try RunReader(path: path)
        #expect(try reader.status == .running)
        let steps = try reader.steps(in: "metrics")
        #expect(Array(steps.prefix(flushed.count)) == flushed)
        let noise = try reader.series("noise", in: "metrics")
        #expect(noise.shape[1] == 4096)
        for step in flushed {
            #expect(noise.values[step * 4096] == Double(step))
        }
    }

    @Test func concurrentRegistrationsAllLand() throws {
        let index = directory.path("index.h5")
        let names = (0..<6).map { "run-\($0)" }
        for name in names {
            let run = try HDF5File.create(directory.path("\(name).h5"))
            try run.setAttribute("seed", .int(names.firstIndex(of: name)!))
            try run.close()
        }
        let probes = try names.enumerated().map { number, name in
            try Probe(["index", index, directory.path("\(name).h5"), name, "0.00\(number + 1)"])
        }
        #expect(probes.map { $0.wait() } == Array(repeating: 0, count: names.count))

        #expect(try ExperimentIndex.runNames(in: index) == names)
        let file = try HDF5File(opening: index)
        #expect(try file.attribute("schema_version") == .int(1))
        for (number, name) in names.enumerated() {
            #expect(try file.attribute("learning_rate", of: "/runs/\(name)") == .double(Double("0.00\(number + 1)")!))
            #expect(try file.attribute("seed", of: "/runs/\(name)/run") == .int(number))
        }
    }

    @Test func registeringARunAgainReplacesIt() throws {
        let index = directory.path("index.h5")
        try HDF5File.create(directory.path("a.h5")).close()
        try ExperimentIndex.register(run: directory.path("a.h5"), as: "a", hyperParameters: ["hidden": 16], in: index)
        try ExperimentIndex.register(run: directory.path("a.h5"), as: "a", hyperParameters: ["hidden": 32], in: index)
        let file = try HDF5File(opening: index)
        #expect(try file.attributeNames(of: "/runs/a") == ["hidden"])
        #expect(try file.attribute("hidden", of: "/runs/a") == .int(32))
    }
}
