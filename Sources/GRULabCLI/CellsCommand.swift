import ArgumentParser
import GRULabCells

/// `grulab cells [NAME]`
struct CellsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cells",
        abstract: "List the registered cells, or show one cell's equations and parameters.")

    @Argument(help: "A cell name, e.g. gru.")
    var name: String?

    func run() throws {
        let registry = CLIContext.registry
        guard let name else {
            let width = registry.names.map(\.count).max() ?? 0
            for d in registry.descriptors {
                print("\(d.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(d.summary)")
            }
            return
        }
        let d: CellDescriptor
        do {
            d = try registry.descriptor(named: name)
        } catch let error as CellRegistryError {
            printError(error.description)
            throw ExitCode(2)
        }
        print("\(d.name): \(d.summary)\n")
        print(d.equations.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        print("\nstate: \(d.hasCell ? "h and c" : "h")")
        print("parameters (C input size, H hidden size):")
        let width = d.parameterShapes.map(\.name.count).max() ?? 0
        for p in d.parameterShapes {
            print("    \(p.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.shape)")
        }
        print("""
            hyper-parameters:
                gate activation       sigmoid (or hard-sigmoid)
                candidate activation  tanh (or relu)
                initializer           pytorch: U(-1/sqrt(H), 1/sqrt(H)) (or keras: glorot-uniform, orthogonal, zeros, forget bias 1)
            reference: \(d.reference)
            """)
    }
}
