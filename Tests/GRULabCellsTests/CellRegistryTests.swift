import GRULabCells
import GRULabTensor
import Testing

@Suite struct CellRegistryTests {
    @Test func anUnknownCellListsTheKnownOnes() {
        var g = SeededGenerator(seed: 0)
        #expect(throws: CellRegistryError.self) {
            let _: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
                cell: "grru", inputSize: 1, hiddenSize: 1, using: &g)
        }
        #expect(CellRegistryError.unknown("grru", known: CellRegistry.builtIn.names).description
                == "unknown cell 'grru'; known cells: "
                 + "gru, d2l-gru, mingru, cellstate-gru, lstm, rnn-tanh, rnn-relu, convgru, convlstm, convrnn-tanh, zoneout-gru, variational-gru, noisy-gru, zoneout-d2l-gru, variational-d2l-gru, noisy-d2l-gru, zoneout-mingru, variational-mingru, noisy-mingru, zoneout-cellstate-gru, variational-cellstate-gru, noisy-cellstate-gru, zoneout-lstm, variational-lstm, noisy-lstm, zoneout-rnn-tanh, variational-rnn-tanh, noisy-rnn-tanh, zoneout-convgru, variational-convgru, noisy-convgru, zoneout-convlstm, variational-convlstm, noisy-convlstm, zoneout-convrnn-tanh, variational-convrnn-tanh, noisy-convrnn-tanh")
    }

    /// Shapes at C = 3, H = 4 (channels, for a convolutional cell over 3 × 3 kernels), against
    /// the documented `parameterShapes`.
    static let shapes: [String: [[Int]]] = [
        "gru": [[12, 3], [12, 4], [12], [12]],
        "d2l-gru": [[3, 4], [4, 4], [4], [3, 4], [4, 4], [4], [3, 4], [4, 4], [4]],
        "mingru": [[4, 3], [4], [4, 3], [4]],
        "cellstate-gru": [[7, 4], [7, 4], [7, 4]],
        "lstm": [[16, 3], [16, 4], [16], [16]],
        "rnn-tanh": [[4, 3], [4, 4], [4], [4]],
        "rnn-relu": [[4, 3], [4, 4], [4], [4]],
        "convgru": [[12, 3, 3, 3], [12, 4, 3, 3], [12], [12]],
        "convlstm": [[16, 3, 3, 3], [16, 4, 3, 3], [16], [16]],
        "convrnn-tanh": [[4, 3, 3, 3], [4, 4, 3, 3], [4], [4]],
    ]

    @Test(arguments: CellRegistry.builtIn.descriptors.filter { $0.preset == nil }.map(\.name))
    func documentedParametersAreTheCellsParameters(name: String) throws {
        let descriptor = try CellRegistry.builtIn.descriptor(named: name)
        var g = SeededGenerator(seed: 0)
        let map = descriptor.convolutional ? CellRegistry.checkFeatureMap : nil
        let pixels = map?.pixels ?? 1
        let cell: AnyRecurrentCell<Float> = descriptor.make(inputSize: 3 * pixels, hiddenSize: 4 * pixels,
                                                            options: CellOptions(featureMap: map), using: &g)
        #expect(cell.parameters.names == descriptor.parameterShapes.map(\.name))
        #expect(cell.parameters.entries.map(\.shape) == Self.shapes[name])
        #expect(cell.hasCell == descriptor.hasCell)
    }

    @Test func convolutionalCellsNeedAFeatureMapAndVectorCellsRefuseOne() throws {
        var g = SeededGenerator(seed: 0)
        #expect(throws: CellRegistryError.featureMapMissing("convgru")) {
            let _: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
                cell: "convgru", inputSize: 12, hiddenSize: 12, using: &g)
        }
        #expect(throws: CellRegistryError.featureMapUnexpected("gru")) {
            let _: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
                cell: "gru", inputSize: 12, hiddenSize: 12, options: CellOptions(featureMap: .init(height: 2, width: 2, kernelSize: 3)),
                using: &g)
        }
        #expect(throws: FeatureMapError.notWholeChannels(name: "input size", features: 10, pixels: 4)) {
            let _: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
                cell: "convlstm", inputSize: 10, hiddenSize: 12, options: CellOptions(featureMap: .init(height: 2, width: 2, kernelSize: 3)),
                using: &g)
        }
        #expect(throws: FeatureMapError.kernelSize(2)) {
            let _: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
                cell: "convgru", inputSize: 8, hiddenSize: 12, options: CellOptions(featureMap: .init(height: 2, width: 2, kernelSize: 2)),
                using: &g)
        }
        #expect(CellRegistryError.featureMapMissing("convgru").description
                == "cell 'convgru' is convolutional: it needs the feature maps' height, width and kernel size")
        #expect(FeatureMapError.notWholeChannels(name: "input size", features: 10, pixels: 4).description
                == "input size 10 is not a whole number of 4-pixel channel maps")
    }

    @Test func aNameIsRegisteredOnce() throws {
        var registry = CellRegistry.builtIn
        #expect(throws: CellRegistryError.duplicate("gru")) {
            try registry.register(CellRegistry.builtIn.descriptor(named: "gru"))
        }
    }

    @Test func kerasInitializationDrawsZeroBiasesAndOrthogonalRecurrentWeights() throws {
        var g = SeededGenerator(seed: 0)
        let cell: AnyRecurrentCell<Double> = try CellRegistry.builtIn.descriptor(named: "gru")
            .make(inputSize: 3, hiddenSize: 4, options: CellOptions(initializer: .keras), using: &g)
        #expect(cell.parameters["bias_ih"] == Tensor(zeros: [12]))
        let whh = cell.parameters["weight_hh"]!
        let gram = whh.transposed().matmul(whh)
        #expect(abs(gram[1, 1] - 1) < 1e-12 && abs(gram[0, 1]) < 1e-12)
    }
}

@Suite struct PresetTests {
    @Test func presetsCarryTheirModifiersUnlessTheConfigurationSetsSome() throws {
        var g = SeededGenerator(seed: 0)
        let preset: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "zoneout-lstm", inputSize: 2, hiddenSize: 3, using: &g)
        #expect(preset.configuration.modifiers == StateModifiers(zoneout: 0.05, zoneoutCell: 0.5))
        #expect(preset.parameters.names == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"])
        let custom: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "variational-gru", inputSize: 2, hiddenSize: 3,
            configuration: .init(modifiers: StateModifiers(recurrentDropout: 0.5)), using: &g)
        #expect(custom.configuration.modifiers == StateModifiers(recurrentDropout: 0.5))
    }

    @Test func aProbabilityOutOfRangeIsAnError() {
        var g = SeededGenerator(seed: 0)
        #expect(throws: StateModifiersError.probability(name: "zoneout", value: 1)) {
            let _: RecurrentNetwork<Float> = try CellRegistry.builtIn.makeNetwork(
                cell: "gru", inputSize: 2, hiddenSize: 3, configuration: .init(modifiers: StateModifiers(zoneout: 1)),
                using: &g)
        }
        #expect(StateModifiersError.probability(name: "zoneout", value: 1).description
                == "zoneout must be a probability in [0, 1), got 1.0")
    }
}
