import ArgumentParser
import Foundation
import GRULabCells
import GRULabHDF5

/// The `grulab` command and its subcommands.
public struct GRULabCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "grulab",
        abstract: "Research on gated recurrent units: cells exact against PyTorch, experiments, results in HDF5.",
        subcommands: [RunCommand.self, ValidateCommand.self, CellsCommand.self, GradcheckCommand.self, ParityCommand.self,
                      ReportCommand.self, WatchCommand.self, SweepCommand.self, CheckResultsFileCommand.self])

    public init() {}
}

/// The `grulab` command line over a registry of cells: GRULab's own executable passes the
/// built-in cells; a downstream package's executable passes its registry with its own cells
/// registered (Examples/CustomCell), and every subcommand sees them.
public enum GRULabCLI {
    /// Parses the process's arguments and runs the command; exits the process. Every results
    /// file the command opens is read whole by this program in a child process first
    /// (``ResultsFileCheck``).
    public static func main(registry: CellRegistry = .builtIn) -> Never {
        CLIContext.registry = registry
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        ResultsSchema.check = ResultsFileCheck(command: [executable, "check-results-file"])
        GRULabCommand.main()
        exit(0)
    }
}

/// The registry the subcommands use, set once by ``GRULabCLI/main(registry:)`` before any
/// command runs and never changed after.
enum CLIContext {
    nonisolated(unsafe) static var registry = CellRegistry.builtIn
}
