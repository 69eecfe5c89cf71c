import ArgumentParser
import GRULabHDF5

/// `grulab check-results-file PATH MODE`, not listed in the help: the child process in which
/// grulab reads a results file whole before opening it itself (``ResultsFileCheck``).
struct CheckResultsFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-results-file",
        abstract: "Read a results file whole; exit 0, or 1 with the error as JSON (for grulab's own use).",
        shouldDisplay: false)

    @Argument(help: "The run or index file.")
    var path: String

    @Argument(help: "swmr-read or read-only.")
    var mode: String

    func run() throws {
        ResultsFileCheck.readInChild(path, mode: mode)
    }
}
