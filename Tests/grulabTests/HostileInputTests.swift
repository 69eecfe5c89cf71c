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
}
