import ArgumentParser
import Foundation
import GRULabCells
import GRULabParity
import GRULabTensor

/// `grulab parity FILE... [--precision float64|float32]`
struct ParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract: "Check cells against PyTorch dumps (docs/parity-fixtures.md).",
        discussion: """
            Runs each fixture's cell with the fixture's inputs, parameters and loss, and prints the \
            largest error of every compared tensor relative to its scale. Exit status: 0 when all \
            are within tolerance (float64: 1e-9, float32: 1e-4), 1 when one is not, 2 when a file \
            cannot be read or names an unknown cell.
            """)

    enum Precision: String, ExpressibleByArgument, CaseIterable {
        case float64, float32
    }

    @Argument(help: "Fixture files (JSON).")
    var files: [String]

    @Option(help: "The precision to run the cells in: float64 or float32.")
    var precision: Precision = .float64

    func run() throws {
        var failed = false
        var unreadable = false
        for path in files {
            do {
                let fixture = try ParityFixture(contentsOf: URL(fileURLWithPath: path))
                let comparisons = switch precision {
                case .float64: try ParityCheck<Double>(registry: CLIContext.registry).run(fixture)
                case .float32: try ParityCheck<Float>(registry: CLIContext.registry).run(fixture)
                }
                let passed = comparisons.allSatisfy(\.passed)
                failed = failed || !passed
                print("\(path): \(fixture.cell), \(precision.rawValue): \(passed ? "ok" : "FAILED")")
                let width = comparisons.map(\.name.count).max() ?? 0
                for c in comparisons {
                    let name = c.name.padding(toLength: width, withPad: " ", startingAt: 0)
                    let relative = c.maxError / max(c.scale, 1e-300)
                    print("  \(name)  max error \(format(c.maxError))  scale \(format(c.scale))  relative \(format(relative))  \(c.passed ? "ok" : "FAILED")")
                }
            } catch {
                unreadable = true
                printError(error.description)
            }
        }
        if unreadable { throw ExitCode(2) }
        if failed { throw ExitCode(1) }
    }
}

private func format(_ x: Double) -> String {
    String(format: "%.2e", x)
}

/// Writes a message to standard error, prefixed with the tool's name.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("grulab: \(message)\n".utf8))
}
