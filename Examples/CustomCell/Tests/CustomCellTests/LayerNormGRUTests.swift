import CustomCell
import GRULabCells
import GRULabTensor
import Testing

@Suite struct LayerNormGRUTests {
    /// The cell works by name, stacked and bidirectional, and its automatic gradients agree
    /// with central differences.
    @Test func passesTheGradientCheck() throws {
        var g = SeededGenerator(seed: 1)
        let network: RecurrentNetwork<Double> = try CellRegistry.withCustomCells.makeNetwork(
            cell: "layernorm-gru", inputSize: 3, hiddenSize: 4,
            configuration: .init(numLayers: 2, bidirectional: true), using: &g)
        #expect(network.parameters.names.first == "kernel_l0")
        for result in try GradientCheck().run(network, steps: 4, batch: 2, using: &g) {
            #expect(result.passed, "\(result.name): \(result.maxError) at scale \(result.scale)")
        }
    }

    /// Layer norm makes each step's pre-activations independent of a common scale of the
    /// recurrent weights: scaling R by 10 leaves the outputs unchanged (up to ε = 1e-5).
    @Test func recurrentNormalisationIgnoresTheWeightScale() throws {
        var g = SeededGenerator(seed: 2)
        let network: RecurrentNetwork<Double> = try CellRegistry.withCustomCells.makeNetwork(
            cell: "layernorm-gru", inputSize: 3, hiddenSize: 4, using: &g)
        var scaled = network
        var p = network.parameters
        p["recurrent_kernel_l0"] = Tensor(shape: [4, 12], scalars: p["recurrent_kernel_l0"]!.scalars.map { 10 * $0 })
        scaled.parameters = p
        let x = Tensor<Double>(shape: [5, 2, 3], scalars: (0..<30).map { _ in g.uniform(-1, 1) })
        let h0 = Tensor<Double>(shape: [1, 2, 4], scalars: (0..<8).map { _ in g.uniform(-1, 1) })
        let a = try network.forward(x, initialState: .init(h: h0), generator: &g)
        let b = try scaled.forward(x, initialState: .init(h: h0), generator: &g)
        #expect(b.output.maxAbsoluteDifference(a.output) < 1e-3)
    }
}
