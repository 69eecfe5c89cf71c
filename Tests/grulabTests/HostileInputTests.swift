import Foundation
import GRULabHDF5
import GRULabTestSupport
import Testing

/// `grulab` on inputs meant to break it, end to end: the message, the exit status, and what
/// is on disk afterwards (docs/reliability.md).
@Suite struct HostileInputTests {
    /// Every file below `directory`, as paths relative to it.
    func files(below directory: TemporaryDirectory) -> [String] {
        let root = directory.url.resolvingSymlinksInPath().path + "/"
        let enumerator = FileManager.default.enumerator(at: directory.url, includingPropertiesForKeys: [.isRegularFileKey])!
        return enumerator.compactMap { item in
            let url = (item as! URL).resolvingSymlinksInPath()
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { return nil }
            return String(url.path.dropFirst(root.count))
        }.sorted()
    }

    /// Sweep values that are parent references, absolute paths and a path longer than a file
    /// name may be, all naming one real sequences file: the runs train, and every file they
    /// write is in the experiment's directory under a name of at most 255 bytes.
    @Test func hostileSweepValuesWriteOnlyInTheResultsDirectory() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path("data/sub"), withIntermediateDirectories: true)
        let data = try HDF5File.create(directory.path("data/x.h5"))
        try data.writeDataset("/x", values: (0..<80).map { Float($0 % 7) / 7 }, shape: [8, 5, 2])
        try data.writeDataset("/y", values: (0..<8).map { Double($0) / 8 }, shape: [8])
        try data.close()
        let paths = [
            directory.path("data/sub/../x.h5"),
            directory.path("data/sub/../../data/x.h5"),
            directory.path("data/" + String(repeating: "./", count: 150) + "x.h5"),
            directory.path("data/x.h5"),
        ]
        let yaml = """
            name: hostile
            task: {name: sequences, path: x}
            model: {cell: gru, hidden_size: 4}
            train: {steps: 3, batch_size: 4, eval_every: 3}
            log: {every: 1}
            sweep:
              task.path: [\(paths.map { "\"\($0)\"" }.joined(separator: ", "))]
            """
        try yaml.write(toFile: directory.path("hostile.yaml"), atomically: true, encoding: .utf8)
        let result = try CommandLineTool.run(["run", directory.path("hostile.yaml"), "--out", directory.path("out")])
        #expect(result.status == 0, "\(result.standardError)")

        let written = files(below: directory).filter { !$0.hasPrefix("data/") && $0 != "hostile.yaml" }
        #expect(written.count >= 9, "four runs and their checkpoints, the index")
        for path in written {
            #expect(path.hasPrefix("out/hostile/"), "\(path) is outside the experiment's directory")
            let name = String(path.dropFirst("out/hostile/".count))
            #expect(!name.contains("/") && name.utf8.count <= 255, "\(name)")
        }
        let runs = written.filter { $0.hasSuffix(".h5") && !$0.hasSuffix("index.h5") }
        #expect(runs.count == 4)
        #expect(try ExperimentIndex.runNames(in: directory.path("out/hostile/index.h5")).count == 4)
    }

    @Test func aHugeSizeIsRefusedBeforeAnythingRuns() throws {
        let directory = try TemporaryDirectory()
        let yaml = "name: huge\ntask: {name: adding, seq_len: 100}\nmodel: {cell: gru, hidden_size: 10000000}\n"
        try yaml.write(toFile: directory.path("huge.yaml"), atomically: true, encoding: .utf8)
        let result = try CommandLineTool.run(["run", directory.path("huge.yaml"), "--out", directory.path("out")])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("grulab: \(directory.path("huge.yaml")):3: model.hidden_size: "
                                                + "the run needs about 4.27 PiB of memory (parameters 4.26 PiB, "))
        #expect(!FileManager.default.fileExists(atPath: directory.path("out")))
    }

    /// A finished one-run experiment in `directory/out`, with its file path.
    func finishedRun(in directory: TemporaryDirectory) throws -> (experiment: String, run: String) {
        let experiment = directory.path("t.yaml")
        try "name: t\ntask: {name: adding, seq_len: 10}\nmodel: {cell: gru, hidden_size: 4}\ntrain: {steps: 20, batch_size: 4, checkpoint_every: 10}\n"
            .write(toFile: experiment, atomically: true, encoding: .utf8)
        let result = try CommandLineTool.run(["run", experiment, "--out", directory.path("out")])
        #expect(result.status == 0, "\(result.standardError)")
        return (experiment, directory.path("out/t/run.h5"))
    }

    /// `--resume` over an earlier file it cannot continue: exit status 2, a message naming the
    /// file and what to do, and every file of the run exactly as it was.
    @Test(arguments: [
        ("truncated", "is not a GRULab results file this version can read: it is truncated: "),
        ("corrupted", "is not a GRULab results file this version can read: it is corrupted ("),
        ("foreign", "is not a GRULab results file this version can read: it has no schema_version attribute (another program wrote it)"),
        ("newer", "is not a GRULab results file this version can read: a newer GRULab wrote it (results schema version 2; "),
        ("respecified", "was written by another specification of the run ('hidden_size: 4' in the file, 'hidden_size: 8' now); "),
        ("checkpoint", "run.checkpoint.json is not a GRULab checkpoint (The given data was not valid JSON.); remove it to run 'run' "),
    ])
    func resumeRefusesAFileItCannotContinueAndKeepsIt(damage: String, message: String) throws {
        let directory = try TemporaryDirectory()
        let (experiment, path) = try finishedRun(in: directory)
        // Running, as a killed run leaves it, so that resume has to read it.
        let file = try HDF5File(opening: path, mode: .readWrite)
        try file.setAttribute("status", .string("running"))
        try file.close()
        var overrides: [String] = []
        switch damage {
        case "truncated":
            truncate(path, 9000)
        case "corrupted":
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            for i in stride(from: 2048, to: bytes.count, by: 97) { bytes[i] ^= 0x5A }
            try bytes.write(to: URL(fileURLWithPath: path))
        case "foreign":
            try FileManager.default.removeItem(atPath: path)
            let other = try HDF5File.create(path)
            try other.writeDataset("/data", values: [1.0], shape: [1])
            try other.close()
        case "newer":
            let file = try HDF5File(opening: path, mode: .readWrite)
            try file.setAttribute("schema_version", .int(2))
            try file.close()
        case "respecified":
            overrides = ["model.hidden_size=8"]
        default:
            try Data("{\"step\": 1".utf8).write(to: URL(fileURLWithPath: directory.path("out/t/run.checkpoint.json")))
        }
        let before = try files(below: directory).map { try Data(contentsOf: directory.url.appendingPathComponent($0)) }
        let result = try CommandLineTool.run(["run", experiment] + overrides + ["--out", directory.path("out"), "--resume"])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("grulab: cannot resume run 'run': "), "\(result.standardError)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
        #expect(result.standardError.contains(damage == "checkpoint" ? "again from the start" : "it is left as it is"))
        #expect(try files(below: directory).map { try Data(contentsOf: directory.url.appendingPathComponent($0)) } == before,
                "nothing moved, nothing rewritten")
    }

    /// A run file damaged on disk so that Debian's HDF5 1.10.8 crashes reading it
    /// (Resources/damaged): `--resume` and `watch` say so, naming it, and leave every file as
    /// it was; grulab itself does not crash (the library meets the file in a child process).
    @Test(.enabled(if: HDF5Library.version == "1.10.8", "the library that crashes on it"))
    func aFileThatCrashesTheLibraryIsAnErrorNotACrash() throws {
        let directory = try TemporaryDirectory()
        let (experiment, path) = try finishedRun(in: directory)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(
            atPath: Fixtures.directory("damaged").appendingPathComponent("crashes-hdf5-1.10.h5").path, toPath: path)
        let damaged = "'\(path)' could not be read: the HDF5 library crashed reading it (Segmentation fault); the file is damaged"
        let before = try files(below: directory).map { try Data(contentsOf: directory.url.appendingPathComponent($0)) }

        let resume = try CommandLineTool.run(["run", experiment, "--out", directory.path("out"), "--resume"])
        #expect(resume.status == 2)
        #expect(resume.standardError == "grulab: cannot resume run 'run': \(damaged); it is left as it is: move it away "
                + "or remove it to run 'run' again from the start\n")
        let watch = try CommandLineTool.run(["watch", path, "--once"])
        #expect(watch.status == 0)
        #expect(watch.standardOutput.contains("\nrun  unreadable: \(damaged)  "), "\(watch.standardOutput)")
        #expect(try files(below: directory).map { try Data(contentsOf: directory.url.appendingPathComponent($0)) } == before,
                "nothing moved, nothing rewritten")
    }

    @Test func anIndexThatIsNotOneStopsWithTheRunsKept() throws {
        let directory = try TemporaryDirectory()
        let (experiment, path) = try finishedRun(in: directory)
        let index = directory.path("out/t/index.h5")
        try Data("not an index".utf8).write(to: URL(fileURLWithPath: index))
        try FileManager.default.removeItem(atPath: path)
        let result = try CommandLineTool.run(["run", experiment, "--out", directory.path("out"), "--resume"])
        #expect(result.status == 2)
        #expect(result.standardError.hasSuffix("grulab: cannot record the run in \(index): '\(index)' is not a GRULab results "
                                               + "file this version can read: it is not an HDF5 file; the run files are intact: "
                                               + "remove \(index) and run again with --resume to rebuild it\n"))
        #expect(try RunReader(path: path).status == .completed)
        #expect(try Data(contentsOf: URL(fileURLWithPath: index)) == Data("not an index".utf8))
        try FileManager.default.removeItem(atPath: index)
        #expect(try CommandLineTool.run(["run", experiment, "--out", directory.path("out"), "--resume"]).status == 0)
        #expect(try ExperimentIndex.runNames(in: index) == ["run"])
    }
}
