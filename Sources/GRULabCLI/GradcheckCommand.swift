import ArgumentParser
import GRULabCells
import GRULabTensor

/// `grulab gradcheck [--cell NAME]...`
struct GradcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck",
        abstract: "Check every gradient of registered cells against central differences in float64.",
        discussion: """
            Each cell is checked in two settings: one layer in evaluation mode (modifiers at their \
            expectation), and two bidirectional layers over sequences of different lengths in \
            training mode with fixed masks (dropout, zoneout and variational masks drawn from one \
            seed for every evaluation of the loss). Exit status: 0 when every gradient agrees to \
            1e-6 of its scale, 1 when one does not, 2 for an unknown cell.
            """)

    @Option(name: .customLong("cell"), help: "A cell to check (repeatable); all registered cells when omitted.")
    var cells: [String] = []

    func run() throws {
        let registry = CLIContext.registry
        let names = cells.isEmpty ? registry.names : cells
        for name in names where !registry.names.contains(name) {
            printError(CellRegistryError.unknown(name, known: registry.names).description)
            throw ExitCode(2)
        }
        let settings: [(label: String, configuration: RecurrentNetwork<Double>.Configuration, lengths: [Int]?, training: Bool)] = [
            ("1 layer, evaluation", .init(), nil, false),
            ("2 layers bidirectional, lengths [4, 2, 3], training masks",
             .init(numLayers: 2, bidirectional: true, dropout: 0.3), [4, 2, 3], true),
        ]
        var failed = false
        let width = names.map(\.count).max() ?? 0
        for name in names {
            for setting in settings {
                var generator = SeededGenerator(seed: 1)
                let configuration = setting.configuration
                let network: RecurrentNetwork<Double> = try registry.makeCheckNetwork(
                    cell: name, inputSize: 3, hiddenSize: 4, configuration: configuration, using: &generator)
                let results = try GradientCheck().run(network, steps: 4, batch: 3, lengths: setting.lengths,
                                                      training: setting.training, using: &generator)
                let worst = results.max { $0.maxError / $0.scale < $1.maxError / $1.scale }!
                let passed = results.allSatisfy(\.passed)
                failed = failed || !passed
                let label = name.padding(toLength: width, withPad: " ", startingAt: 0)
                print("\(label)  \(setting.label): \(results.count) tensors, worst \(worst.name) relative error "
                      + "\(String(format: "%.1e", worst.maxError / worst.scale))  \(passed ? "ok" : "FAILED")")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
