import GRULabCells
import GRULabTensor
import Testing

/// Every registered cell's hand-written backward against central differences in Double.
@Suite struct GradientCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let layers: Int
        let bidirectional: Bool
        let lengths: [Int]?
        let gates: Activation
        let training: Bool
        var testDescription: String {
            "\(layers) layer(s)\(bidirectional ? ", bidirectional" : "")\(lengths.map { ", lengths \($0)" } ?? ""), \(gates.rawValue) gates\(training ? ", training masks" : "")"
        }
    }

    static let cases = [
        Case(layers: 1, bidirectional: false, lengths: nil, gates: .sigmoid, training: false),
        Case(layers: 2, bidirectional: true, lengths: [4, 2, 3], gates: .sigmoid, training: false),
        Case(layers: 1, bidirectional: false, lengths: nil, gates: .hardSigmoid, training: false),
        Case(layers: 2, bidirectional: true, lengths: [4, 2, 3], gates: .sigmoid, training: true),
    ]

    /// Every cell and preset, but of the convolutional cells' presets only the one whose masks
    /// differ from a vector cell's (variational dropout per channel map): the others run the
    /// modifiers' code that the vector presets check, at nine times the parameters.
    static let cells = CellRegistry.builtIn.descriptors
        .filter { !$0.convolutional || $0.preset == nil || $0.name == "variational-convgru" }.map(\.name)

    @Test(arguments: cells, cases)
    func analyticGradientsMatchCentralDifferences(cell: String, testCase: Case) throws {
        var g = SeededGenerator(seed: 5)
        let network: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeCheckNetwork(
            cell: cell, inputSize: 3, hiddenSize: 4,
            configuration: .init(numLayers: testCase.layers, bidirectional: testCase.bidirectional,
                                 dropout: testCase.training ? 0.3 : 0),
            options: CellOptions(gateActivation: testCase.gates), using: &g)
        let results = try GradientCheck().run(network, steps: 4, batch: 3, lengths: testCase.lengths,
                                              training: testCase.training, using: &g)
        #expect(results.count == network.parameters.entries.count + (network.hasCell ? 3 : 2))
        for r in results {
            #expect(r.passed, "\(cell) \(r.name): max error \(r.maxError) at scale \(r.scale)")
        }
    }

    @Test func theCheckCatchesAWrongGradient() throws {
        var g = SeededGenerator(seed: 6)
        let network: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "gru", inputSize: 2, hiddenSize: 3, using: &g)
        // A tolerance below rounding proves the harness compares real numbers.
        let results = try GradientCheck(tolerance: 1e-16).run(network, steps: 3, batch: 2, using: &g)
        #expect(results.contains { !$0.passed })
    }
}
