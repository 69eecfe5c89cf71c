import _Differentiation
import GRULabAutodiff
import GRULabCells
import GRULabTensor
import GRULabTestSupport
import Testing

/// Custom cells: the automatic gradients against the hand-written built-in cells and against
/// central differences, registration by name, and the dL/dh_t observer.
@Suite struct DifferentiableCellTests {
    static let registry: CellRegistry = {
        var registry = CellRegistry.builtIn
        try! registry.register(.customGRU)
        try! registry.register(.differentiable(
            CustomLSTM<Float>.self, CustomLSTM<Double>.self, name: "custom-lstm",
            summary: "lstm as a custom cell", equations: "as lstm", reference: "tests"))
        try! registry.register(.differentiable(
            LayerNormGRU<Float>.self, LayerNormGRU<Double>.self, name: "layernorm-gru",
            summary: "GRU with layer norm on the input and recurrent pre-activations (haste)",
            equations: LayerNormGRU<Double>.equations, reference: "haste LayerNormGRU"))
        return registry
    }()

    struct Case: CustomTestStringConvertible, Sendable {
        let layers: Int
        let bidirectional: Bool
        let lengths: [Int]?
        var testDescription: String {
            "\(layers) layer(s)\(bidirectional ? ", bidirectional" : "")\(lengths.map { ", lengths \($0)" } ?? "")"
        }
    }

    static let cases = [
        Case(layers: 1, bidirectional: false, lengths: nil),
        Case(layers: 2, bidirectional: true, lengths: [5, 2, 4]),
    ]

    /// The same cell written as built-in equations: `custom-gru` against `gru`, `custom-lstm`
    /// against `lstm`, outputs and every gradient to 1e-10 in Double.
    @Test(arguments: [("custom-gru", "gru"), ("custom-lstm", "lstm")], cases)
    func customCellMatchesTheBuiltInCell(pair: (String, String), testCase: Case) throws {
        var g = SeededGenerator(seed: 11)
        let configuration = RecurrentNetwork<Double>.Configuration(numLayers: testCase.layers,
                                                                   bidirectional: testCase.bidirectional)
        let builtIn: RecurrentNetwork<Double> = try Self.registry.makeNetwork(
            cell: pair.1, inputSize: 3, hiddenSize: 4, configuration: configuration, using: &g)
        var custom: RecurrentNetwork<Double> = try Self.registry.makeNetwork(
            cell: pair.0, inputSize: 3, hiddenSize: 4, configuration: configuration, using: &g)
        #expect(custom.parameters.names == builtIn.parameters.names)
        custom.parameters = builtIn.parameters

        let (steps, batch, d) = (5, 3, configuration.directions)
        let x = Tensor<Double>.random([steps, batch, 3], using: &g)
        let states = [testCase.layers * d, batch, 4]
        let h0 = Tensor<Double>.random(states, using: &g)
        let c0 = builtIn.hasCell ? Tensor<Double>.random(states, using: &g) : nil
        let dy = Tensor<Double>.random([steps, batch, d * 4], using: &g)
        let dhn = RecurrentState(h: Tensor<Double>.random(states, using: &g),
                                 c: builtIn.hasCell ? Tensor<Double>.random(states, using: &g) : nil)

        func run(_ net: RecurrentNetwork<Double>) throws -> (RecurrentNetwork<Double>.Forward, RecurrentNetwork<Double>.Gradients) {
            var unused = SeededGenerator(seed: 0)
            let f = try net.forward(x, initialState: RecurrentState(h: h0, c: c0), lengths: testCase.lengths, generator: &unused)
            var observer = NoBackwardObserver<Double>()
            return (f, net.backward(f, outputGradient: dy, finalStateGradient: dhn, observer: &observer))
        }
        let (fa, ga) = try run(builtIn)
        let (fb, gb) = try run(custom)
        #expect(fb.output.maxAbsoluteDifference(fa.output) < 1e-12)
        #expect(fb.finalState.h.maxAbsoluteDifference(fa.finalState.h) < 1e-12)
        #expect(gb.input.maxAbsoluteDifference(ga.input) < 1e-10)
        #expect(gb.initialState.h.maxAbsoluteDifference(ga.initialState.h) < 1e-10)
        if let a = ga.initialState.c, let b = gb.initialState.c {
            #expect(b.maxAbsoluteDifference(a) < 1e-10)
        }
        for i in ga.parameters.entries.indices {
            let difference = gb.parameters.tensor(at: i).maxAbsoluteDifference(ga.parameters.tensor(at: i))
            #expect(difference < 1e-10, "\(ga.parameters.entries[i].name): \(difference)")
        }
    }

    /// The example custom cell passes the central-difference check, as every built-in does.
    @Test(arguments: ["layernorm-gru", "custom-lstm"], cases)
    func customCellPassesTheGradientCheck(cell: String, testCase: Case) throws {
        var g = SeededGenerator(seed: 5)
        let network: RecurrentNetwork<Double> = try Self.registry.makeNetwork(
            cell: cell, inputSize: 3, hiddenSize: 4,
            configuration: .init(numLayers: testCase.layers, bidirectional: testCase.bidirectional), using: &g)
        let results = try GradientCheck().run(network, steps: 4, batch: 3, lengths: testCase.lengths.map { $0.map { min($0, 4) } }, using: &g)
        #expect(results.count == network.parameters.entries.count + (network.hasCell ? 3 : 2))
        for r in results {
            #expect(r.passed, "\(cell) \(r.name): max error \(r.maxError) at scale \(r.scale)")
        }
    }

    @Test func theDescriptorListsShapesInCAndH() throws {
        let descriptor = try Self.registry.descriptor(named: "layernorm-gru")
        #expect(descriptor.parameterShapes.map(\.name) == ["kernel", "recurrent_kernel", "bias", "recurrent_bias", "gamma"])
        #expect(descriptor.parameterShapes.map(\.shape) == ["[C, 3H]", "[H, 3H]", "[3H]", "[3H]", "[2, 3H]"])
        #expect(!descriptor.hasCell)
        #expect(try Self.registry.descriptor(named: "custom-lstm").hasCell)
    }

    /// Gamma starts at ones, the other parameters from the options' initializer.
    @Test func initialisationFollowsTheSpecs() throws {
        var g = SeededGenerator(seed: 3)
        let cell: AnyRecurrentCell<Double> = try Self.registry.descriptor(named: "layernorm-gru")
            .make(inputSize: 2, hiddenSize: 3, options: CellOptions(initializer: .keras), using: &g)
        #expect(cell.parameters["gamma"] == Tensor(repeating: 1, shape: [2, 9]))
        #expect(cell.parameters["bias"] == Tensor(zeros: [9]))
        #expect(cell.parameters["kernel"]!.maxAbsolute > 0)
    }

    /// The observer sees dL/dh_t of a custom cell at every step, as for the built-in one.
    @Test func observerSeesTheHiddenStateGradient() throws {
        var g = SeededGenerator(seed: 4)
        let builtIn: RecurrentNetwork<Double> = try Self.registry.makeNetwork(
            cell: "gru", inputSize: 2, hiddenSize: 3, configuration: .init(numLayers: 2), using: &g)
        var custom: RecurrentNetwork<Double> = try Self.registry.makeNetwork(
            cell: "custom-gru", inputSize: 2, hiddenSize: 3, configuration: .init(numLayers: 2), using: &g)
        custom.parameters = builtIn.parameters
        let x = Tensor<Double>.random([6, 2, 2], using: &g)
        let dy = Tensor<Double>.random([6, 2, 3], using: &g)
        func norms(_ net: RecurrentNetwork<Double>) throws -> [[Double]] {
            var unused = SeededGenerator(seed: 0)
            let f = try net.forward(x, generator: &unused)
            var recorder = GradientNormRecorder<Double>(layers: 2, directions: 1, steps: 6)
            _ = net.backward(f, outputGradient: dy, observer: &recorder)
            return recorder.norms
        }
        let a = try norms(builtIn), b = try norms(custom)
        #expect(b.flatMap { $0 }.allSatisfy { $0 > 0 })
        #expect(zip(a.flatMap { $0 }, b.flatMap { $0 }).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    /// The Float path of a custom cell agrees with its Double path to Float rounding.
    @Test func floatAgreesWithDouble() throws {
        var g = SeededGenerator(seed: 8)
        let double: RecurrentNetwork<Double> = try Self.registry.makeNetwork(
            cell: "layernorm-gru", inputSize: 3, hiddenSize: 4, configuration: .init(bidirectional: true), using: &g)
        var float: RecurrentNetwork<Float> = try Self.registry.makeNetwork(
            cell: "layernorm-gru", inputSize: 3, hiddenSize: 4, configuration: .init(bidirectional: true), using: &g)
        float.parameters = ParameterSet(double.parameters.entries.indices.map {
            (double.parameters.entries[$0].name, Tensor<Float>(double.parameters.tensor(at: $0)))
        })
        let x = Tensor<Double>.random([4, 2, 3], using: &g)
        let a = try double.forward(x, generator: &g), b = try float.forward(Tensor(x), generator: &g)
        #expect(Tensor<Double>(b.output).maxAbsoluteDifference(a.output) < 1e-5)
        var none = NoBackwardObserver<Double>(), noneF = NoBackwardObserver<Float>()
        let ga = double.backward(a, outputGradient: a.output, observer: &none)
        let gb = float.backward(b, outputGradient: b.output, observer: &noneF)
        #expect(Tensor<Double>(gb.input).maxAbsoluteDifference(ga.input) < 1e-4)
    }
}
