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
        print("hyper-parameters:")
        let choices: [(CellOptionName, String)] = [
            (.gateActivation, "sigmoid (or hard-sigmoid)"),
            (.candidateActivation, "tanh (or relu)"),
            (.initializer, "pytorch: U(-1/sqrt(H), 1/sqrt(H)) (or keras: glorot-uniform, orthogonal, zeros)"),
            (.forgetBias, "none (keras: 1; model.forget_bias sets it)"),
        ]
        for (option, text) in choices where d.options.contains(option) {
            print("    \(option.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0))  \(text)")
        }
        if let preset = d.preset {
            let m = preset.modifiers
            let parts = [("zoneout", m.zoneout), ("zoneout on c", m.zoneoutCell), ("input dropout", m.inputDropout),
                         ("recurrent dropout", m.recurrentDropout), ("gaussian noise variance", m.gaussianNoise)]
                .filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }
            print("preset of \(preset.base): \(parts.joined(separator: ", "))")
        }
        print("reference: \(d.reference)")
    }
}
