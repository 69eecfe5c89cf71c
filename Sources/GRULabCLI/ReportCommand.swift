import ArgumentParser
import Foundation

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
}
