import ArgumentParser

@main
struct GRULabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grulab",
        abstract: "Research on gated recurrent units: cells exact against PyTorch, experiments, results in HDF5.",
        subcommands: [RunCommand.self, ValidateCommand.self, CellsCommand.self, GradcheckCommand.self, ParityCommand.self])
}
