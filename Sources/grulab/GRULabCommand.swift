import ArgumentParser

@main
struct GRULabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grulab",
        abstract: "Research on gated recurrent units: cells exact against PyTorch, experiments, results in HDF5.",
        subcommands: [CellsCommand.self, GradcheckCommand.self, ParityCommand.self, ValidateCommand.self])
}
