import ArgumentParser
import Foundation
import GRULabCells
import GRULabExperiments

/// `grulab validate FILE [key=value ...] [--verbose]`
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check an experiment file and list its runs without running them (docs/experiments.md).",
        discussion: """
            Applies the overrides (key=value, values in YAML: train.lr=1e-3, \
            sweep.model.cell=[gru,lstm]), validates every key, expands the sweep and prints one \
            line a run: its index, its name and its swept values. Exit status: 0 when the file is \
            valid, 2 with every error found (file and line, or the override, then the key) when \
            it is not or cannot be read.
            """)

    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Argument(help: "Overrides, key=value.")
    var overrides: [String] = []

    @Flag(help: "Print each run's resolved specification as YAML as well.")
    var verbose = false

    func run() throws {
        let experiment = try loadExperiment(file, overrides: overrides)
        let count = experiment.runs.count
        let grid = experiment.axes.map { "\($0.key) (\($0.values.count))" }.joined(separator: " × ")
        print("\(file): \(experiment.name), \(count) run\(count == 1 ? "" : "s")" + (grid.isEmpty ? "" : " over \(grid)"))
        let header = ["index", "name"] + experiment.axes.map(\.key)
        let rows = experiment.runs.map { run in [String(run.index), run.name] + run.varied.map(\.value) }
        print(formatTable([header] + rows))
        if verbose {
            for run in experiment.runs { print("---\n" + run.yaml, terminator: "") }
        }
    }

}

/// The experiment in `file` with `overrides`, validated against the registry's cells; every
/// error printed (file and line, or the override, then the key) and exit status 2 when invalid.
func loadExperiment(_ file: String, overrides: [String]) throws -> ExperimentSpec {
    do {
        return try ExperimentSpec(contentsOf: file, overrides: overrides, knownCells: CLIContext.registry.names)
    } catch {
        for message in error.errors { printError(message.description) }
        throw ExitCode(2)
    }
}
