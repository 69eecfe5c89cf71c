import ArgumentParser
import Foundation
import GRULabHDF5

/// `grulab report DIR [--out DIR]`
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Figures (PNG) and a summary page of an experiment's results (docs/analysis.md).",
        discussion: """
            Reads DIR/index.h5 and every run it links, and writes to DIR/report (or --out): \
            gradient-flow.png (||dL/dh_t|| against t at initialisation, per cell), \
            gradient-heatmaps.png (log ||dL/dh_t|| over training step and t, per run), loss.png \
            (losses against the task's baseline), length.png (decay rate and final loss against \
            sequence length, when it is swept), gate-saturation.png (update gates over training), \
            report.md (a table of the runs and the figures) and runs.csv. Runs the Python package \
            grulab-analysis (analysis/; scripts/setup installs it). Exit status 0, or 2 when the \
            results cannot be read or the package is missing.
            """)

    @Argument(help: "The experiment's results directory (holding index.h5), e.g. results/vanishing-gradients.")
    var directory: String

    @Option(help: "Where to write the figures and report.md (default: DIR/report).")
    var out: String?

    @Option(help: "The Python interpreter that has grulab-analysis installed.")
    var python = "python3"

    func run() throws {
        // h5py's HDF5, like Debian's 1.10, can crash or loop for ever on a file damaged on disk
        // (docs/reliability.md), and the report reads every file of the directory: each is
        // read in a child process first, and a damaged one stops the report before Python
        // starts. Other errors are the report's to give, as it reads.
        for file in resultsFiles() {
            do {
                try ResultsSchema.check?.check(file, mode: file.hasSuffix("/index.h5") ? .readOnly : .swmrRead)
            } catch let error as HDF5Error {
                guard case .damaged = error else { continue }
                printError(error.description)
                throw ExitCode(2)
            }
        }
        let analysis = PythonAnalysis(python: python)
        do {
            try analysis.check()
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let status = analysis.runModule("grulab_analysis.report", [directory] + (out.map { ["--out", $0] } ?? []))
        if status != 0 { throw ExitCode(status) }
    }

    /// The `.h5` files of the experiment's directory (DIR, or the directory of DIR when it
    /// names the index), which the report reads.
    private func resultsFiles() -> [String] {
        let folder = directory.hasSuffix(".h5") ? (directory as NSString).deletingLastPathComponent : directory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        return names.filter { $0.hasSuffix(".h5") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
    }
}
