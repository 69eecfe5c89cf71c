import Foundation
import GRULabHDF5
import Testing

/// Results files that are not what they claim: every reader error names the file and says what
/// is wrong, at once (a corrupted file used to hang a SWMR reader), and writing to an index
/// that is not one leaves it as it was (docs/reliability.md).
@Suite("Hostile result files")
struct HostileFileTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    /// A finished run file of 40 logged steps.
    func runFile(_ name: String) throws -> String {
        let path = directory.path(name)
        let writer = try RunWriter(
            path: path,
            metadata: RunMetadata(grulabVersion: "0.1.0", gitCommit: "abc", gitDirty: false, seed: 1,
                                  experimentYAML: "name: x\n", swiftVersion: "6.3.1", blas: "OpenBLAS"),
            layout: .standard(layers: 1, timeSteps: 4, parameters: ["weight_hh_l0"], hasAccuracy: false))
        for step in 0..<40 {
            try writer.logMetrics(step: step, trainLoss: 1, gradNorm: 1, learningRate: 0.1, wallTime: 0)
        }
        try writer.finish(.completed)
        return path
    }

    func reading(_ path: String) -> String? {
        do {
            _ = try RunReader(path: path).steps(in: "metrics")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aValidRunFileReads() throws {
        #expect(reading(try runFile("run.h5")) == nil)
    }

    @Test func missingEmptyAndNonHDF5FilesSaySo() throws {
        let missing = directory.path("missing.h5"), empty = directory.path("empty.h5"), text = directory.path("text.h5")
        try Data().write(to: URL(fileURLWithPath: empty))
        try "name: x\n".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(reading(missing) == "cannot open HDF5 file '\(missing)': no such file")
        #expect(reading(directory.path("")) == "cannot open HDF5 file '\(directory.path(""))': is a directory")
        #expect(reading(empty) == "'\(empty)' is not a GRULab results file this version can read: the file is empty")
        #expect(reading(text) == "'\(text)' is not a GRULab results file this version can read: it is not an HDF5 file")
    }

    @Test func aTruncatedFileSaysHowMuchIsLeft() throws {
        let path = try runFile("run.h5")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        truncate(path, off_t(size / 2))
        #expect(reading(path) == "'\(path)' is not a GRULab results file this version can read: it is truncated: "
                + "\(size / 2) bytes of the \(size) it was written with")
    }

    /// Bytes flipped all through the file: the open or the first read fails with a message
    /// naming the file, at once rather than after HDF5's 2^100 ns of retries.
    @Test(arguments: [2048, 4096, 8192])
    func aCorruptedFileIsAnErrorNotAHang(from offset: Int) throws {
        let path = try runFile("run.h5")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for i in stride(from: offset, to: bytes.count, by: 97) { bytes[i] ^= 0x5A }
        try bytes.write(to: URL(fileURLWithPath: path))
        let message = try #require(reading(path))
        #expect(message.contains("'\(path)'"), "\(message)")
    }

    /// A step without its values (steps are written last, so no writer leaves one) is a
    /// corrupted file, not an index past the end of the series for whoever reads by step.
    @Test func aSeriesShorterThanItsStepsIsAnError() throws {
        let path = try runFile("run.h5")
        let file = try HDF5File(opening: path, mode: .readWrite)
        try file.append([Int64(40)], to: "/metrics/step")
        try file.close()
        #expect(throws: HDF5Error.notResults(file: path, reason: "it is corrupted: /metrics/train_loss has 40 rows for 41 steps")) {
            try RunReader(path: path).series("train_loss", in: "metrics")
        }
    }

    @Test func aFileOfAnotherProgramOrAnIndexIsNotARunFile() throws {
        let foreign = directory.path("foreign.h5")
        let file = try HDF5File.create(foreign)
        try file.writeDataset("/data", values: [1.0, 2.0], shape: [2])
        try file.close()
        #expect(reading(foreign) == "'\(foreign)' is not a GRULab results file this version can read: "
                + "it has no schema_version attribute (another program wrote it)")
        let index = directory.path("index.h5")
        try ExperimentIndex.register(run: try runFile("run.h5"), as: "run", hyperParameters: [:], in: index)
        #expect(reading(index) == "'\(index)' is not a GRULab results file this version can read: "
                + "it has no status attribute or /metrics group: not a run file")
    }

    @Test func aNewerSchemaIsRefusedWithWhatToDo() throws {
        let path = try runFile("run.h5")
        let file = try HDF5File(opening: path, mode: .readWrite)
        try file.setAttribute("schema_version", .int(2))
        try file.close()
        #expect(reading(path) == "'\(path)' is not a GRULab results file this version can read: a newer GRULab "
                + "wrote it (results schema version 2; this one reads versions up to 1): read it with that GRULab or a later one")
    }

    /// Registering into an index that is not one fails with its name and leaves its bytes.
    @Test func anIndexThatIsNotOneIsLeftAsItIs() throws {
        let run = try runFile("run.h5")
        for (name, contents) in [("text", Data("not an index\n".utf8)), ("newer", nil)] {
            let index = directory.path("\(name)-index.h5")
            if let contents {
                try contents.write(to: URL(fileURLWithPath: index))
            } else {
                try ExperimentIndex.register(run: run, as: "run", hyperParameters: [:], in: index)
                let file = try HDF5File(opening: index, mode: .readWrite)
                try file.setAttribute("schema_version", .int(7))
                try file.close()
            }
            let before = try Data(contentsOf: URL(fileURLWithPath: index))
            let error = #expect(throws: HDF5Error.self) {
                try ExperimentIndex.register(run: run, as: "other", hyperParameters: [:], in: index)
            }
            guard case let .notResults(file, _)? = error else {
                Issue.record("expected notResults, got \(String(describing: error))")
                continue
            }
            #expect(file == index)
            #expect(try Data(contentsOf: URL(fileURLWithPath: index)) == before)
            #expect(throws: HDF5Error.self) { try ExperimentIndex.runNames(in: index) }
        }
    }
}

