import Foundation
import GRULabHDF5
import GRULabTestSupport
import Testing

/// `grulab report` end to end: the built executable runs the Python package on a real
/// experiment's files.
@Suite struct ReportCommandTests {
    static let experiment = """
        name: small
        seed: 1
        task: {name: adding, seq_len: 10}
        model: {cell: gru, hidden_size: 6}
        train: {steps: 20, batch_size: 4, eval_every: 10}
        log: {every: 2, grad_h_every: 5}
        sweep: {model.cell: [rnn-tanh, gru], task.seq_len: [10, 15]}
        """

    static func runExperiment(in directory: TemporaryDirectory) throws -> String {
        let file = directory.path("small.yaml")
        try experiment.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CommandLineTool.run(["run", file, "--out", directory.path("results")])
        #expect(result.status == 0, "\(result.standardError)")
        return directory.path("results/small")
    }

    @Test func theReportHasEveryFigureAndATableOfTheRuns() throws {
        let directory = try TemporaryDirectory()
        let results = try Self.runExperiment(in: directory)
        let out = directory.path("report")
        let result = try CommandLineTool.run(["report", results, "--out", out])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == """
            report: \(out)/report.md
            figures: gradient-flow.png, gradient-heatmaps.png, loss.png, length.png, gate-saturation.png

            """)
        let page = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        let reader = try RunReader(path: results + "/cell=gru,seq_len=15.h5")
        let evalLoss = try reader.series("loss", in: "eval").values.last!
        let row = page.split(separator: "\n").first { $0.hasPrefix("| cell=gru,seq_len=15 |") }
        let cells = row?.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        #expect(cells.prefix(4) == ["cell=gru,seq_len=15", "gru", "15", "completed"])
        #expect(cells.count > 5 && cells[5] == String(format: "%.4g", evalLoss))
        for figure in ["gradient-flow", "gradient-heatmaps", "loss", "length", "gate-saturation"] {
            let size = try FileManager.default.attributesOfItem(atPath: "\(out)/\(figure).png")[.size] as? Int
            #expect((size ?? 0) > 10_000, "\(figure).png")
        }
    }

    /// A run file damaged so that HDF5 crashes reading it (Resources/damaged) stops the report
    /// with a message naming it, before Python reads anything.
    @Test(.enabled(if: HDF5Library.version == "1.10.8", "the library that crashes on it"))
    func aDamagedRunFileStopsTheReportNamingIt() throws {
        let directory = try TemporaryDirectory()
        let results = try Self.runExperiment(in: directory)
        let damaged = results + "/cell=gru,seq_len=10.h5"
        try FileManager.default.removeItem(atPath: damaged)
        try FileManager.default.copyItem(
            atPath: Fixtures.directory("damaged").appendingPathComponent("crashes-hdf5-1.10.h5").path, toPath: damaged)
        let result = try CommandLineTool.run(["report", results, "--out", directory.path("report")])
        #expect(result.status == 2)
        #expect(result.standardError == "grulab: '\(damaged)' could not be read: the HDF5 library crashed reading it "
                + "(Segmentation fault); the file is damaged\n")
        #expect(!FileManager.default.fileExists(atPath: directory.path("report")))
    }

    @Test func aDirectoryWithoutAnIndexIsOneMessage() throws {
        let directory = try TemporaryDirectory()
        let result = try CommandLineTool.run(["report", directory.path("")])
        #expect(result.status == 2)
        #expect(result.standardError == "grulab: \(directory.path("index.h5")): no such index; "
                + "expected an experiment directory written by grulab run\n")
    }

    /// An interpreter without the package (python3 with its site-packages off, and no
    /// PYTHONPATH, which scripts/test points at this checkout's package): the message says how
    /// to install it.
    @Test func aMissingPythonPackageSaysHowToInstallIt() throws {
        let directory = try TemporaryDirectory()
        let python = directory.path("python-without-site")
        try "#!/bin/sh\nunset PYTHONPATH\nexec python3 -S \"$@\"\n".write(toFile: python, atomically: true, encoding: .utf8)
        chmod(python, 0o755)
        let result = try CommandLineTool.run(["report", directory.path(""), "--python", python])
        #expect(result.status == 2)
        #expect(result.standardError == "grulab: the Python package grulab-analysis is not installed for '\(python)' "
                + "(ModuleNotFoundError: No module named 'grulab_analysis'); install it from a GRULab checkout "
                + "with `python3 -m pip install -e analysis` (scripts/setup does)\n")
    }
}
