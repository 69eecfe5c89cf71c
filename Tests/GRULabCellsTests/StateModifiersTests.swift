import GRULabCells
import GRULabTensor
import GRULabTestSupport
import Testing

/// The modifiers' masks, observed through what the network computes.
@Suite struct StateModifiersTests {
    /// A kept unit copies its previous value exactly, so the fraction of outputs equal to the
    /// previous step's is the keep rate.
    @Test(arguments: [0.1, 0.5])
    func zoneoutKeepsEachUnitWithProbabilityP(p: Double) throws {
        var g = SeededGenerator(seed: 21)
        let net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "gru", inputSize: 3, hiddenSize: 32, configuration: .init(modifiers: StateModifiers(zoneout: p)),
            using: &g)
        let (steps, batch) = (60, 8)
        let f = try net.forward(Tensor.random([steps, batch, 3], using: &g), training: true, generator: &g)
        let width = batch * 32
        var kept = 0
        for t in 1..<steps {
            for i in 0..<width where f.output.scalars[t * width + i] == f.output.scalars[(t - 1) * width + i] {
                kept += 1
            }
        }
        let n = Double((steps - 1) * width)
        // within 5 standard deviations of the binomial count
        #expect(abs(Double(kept) - p * n) < 5 * (n * p * (1 - p)).squareRoot(), "kept \(kept) of \(Int(n))")
    }

    @Test func zoneoutAtEvaluationIsTheExpectation() throws {
        var g = SeededGenerator(seed: 22)
        let plain: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "gru", inputSize: 2, hiddenSize: 3, using: &g)
        var zoned = plain
        zoned = RecurrentNetwork(inputSize: 2, hiddenSize: 3, configuration: .init(modifiers: StateModifiers(zoneout: 0.3))) { _ in
            plain.cells[0]
        }
        let x = Tensor<Double>.random([1, 1, 2], using: &g)
        let h0 = RecurrentState<Double>(h: Tensor.random([1, 1, 3], using: &g))
        let new = try plain.forward(x, initialState: h0, generator: &g).output
        let blended = try zoned.forward(x, initialState: h0, generator: &g).output
        for j in 0..<3 {
            #expect(abs(blended.scalars[j] - (0.3 * h0.h.scalars[j] + 0.7 * new.scalars[j])) < 1e-15)
        }
    }

    /// `rnn-relu` with `W_ih = I` and no recurrence outputs `relu(x ⊙ m)`: on positive inputs
    /// the ratio output / input is the input mask itself.
    @Test func theInputMaskIsOnePerSequenceTheSameAtEveryStep() throws {
        var g = SeededGenerator(seed: 23)
        var net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "rnn-relu", inputSize: 16, hiddenSize: 16,
            configuration: .init(modifiers: StateModifiers(inputDropout: 0.5)), using: &g)
        var p = net.parameters.zeros()
        p["weight_ih_l0"] = Tensor(shape: [16, 16], scalars: (0..<256).map { $0 % 17 == 0 ? 1 : 0 })
        net.parameters = p
        let x = Tensor<Double>(shape: [5, 3, 16], scalars: (0..<240).map { _ in g.uniform(0.5, 1.5) })
        let f = try net.forward(x, training: true, generator: &g)
        let masks = (0..<5).map { t in (0..<3).map { b in (0..<16).map { j in
            f.output[t, b, j] / x[t, b, j] } } }
        for t in 1..<5 { #expect(masks[t] == masks[0]) }
        #expect(masks[0][0] != masks[0][1] && masks[0][1] != masks[0][2])
        #expect(Set(masks[0].flatMap { $0 }.map { ($0 * 1e9).rounded() / 1e9 }) == [0, 2])
        let evaluated = try net.forward(x, training: false, generator: &g)
        #expect(evaluated.output.maxAbsoluteDifference(Tensor(shape: x.shape, scalars: x.scalars)) < 1e-15)
    }

    /// A convolutional cell's variational masks drop whole channel maps: with identity kernels
    /// (centre tap 1 from channel c to c) and no recurrence, `atanh(h) / x` is the input mask,
    /// one value per sequence and channel, the same at every pixel and step.
    @Test func aConvolutionalCellsInputMaskIsOnePerChannelMap() throws {
        var g = SeededGenerator(seed: 25)
        let map = FeatureMap(height: 3, width: 2, kernelSize: 3), channels = 8
        var net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "convrnn-tanh", inputSize: channels * 6, hiddenSize: channels * 6,
            configuration: .init(modifiers: StateModifiers(inputDropout: 0.5)),
            options: CellOptions(featureMap: map), using: &g)
        var p = net.parameters.zeros()
        p["weight_ih_l0"] = Tensor(shape: [channels, channels, 3, 3], scalars: (0..<channels * channels * 9).map {
            $0 % 9 == 4 && $0 / 9 / channels == $0 / 9 % channels ? 1 : 0
        })
        net.parameters = p
        let x = Tensor<Double>(shape: [4, 3, channels * 6], scalars: (0..<4 * 3 * channels * 6).map { _ in g.uniform(0.5, 1.5) })
        let f = try net.forward(x, training: true, generator: &g)
        let masks = (0..<4).map { t in (0..<3).map { b in (0..<channels * 6).map { j in
            (Double.atanh(f.output[t, b, j]) / x[t, b, j] * 1e6).rounded() / 1e6 } } }
        for t in 0..<4 {
            #expect(masks[t] == masks[0])
            for b in 0..<3 {
                for c in 0..<channels { #expect(Set(masks[t][b][c * 6..<(c + 1) * 6]).count == 1) }
            }
        }
        let perChannel = masks[0].map { row in stride(from: 0, to: row.count, by: 6).map { row[$0] } }
        #expect(Set(perChannel.flatMap { $0 }) == [0, 2])
        #expect(perChannel[0] != perChannel[1] && perChannel[1] != perChannel[2])
    }

    /// With `W_hh = I` and no input, `h_t = relu(m ⊙ h_{t-1})`: the ratio of consecutive
    /// outputs is the recurrent mask, the same at every step.
    @Test func theRecurrentMaskIsOnePerSequenceTheSameAtEveryStep() throws {
        var g = SeededGenerator(seed: 24)
        var net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "rnn-relu", inputSize: 1, hiddenSize: 16,
            configuration: .init(modifiers: StateModifiers(recurrentDropout: 0.5)), using: &g)
        var p = net.parameters.zeros()
        p["weight_hh_l0"] = Tensor(shape: [16, 16], scalars: (0..<256).map { $0 % 17 == 0 ? 1 : 0 })
        net.parameters = p
        let h0 = RecurrentState<Double>(h: Tensor(repeating: 1, shape: [1, 3, 16]))
        let f = try net.forward(Tensor(zeros: [4, 3, 1]), initialState: h0, training: true, generator: &g)
        let first = (0..<3).map { b in (0..<16).map { f.output[0, b, $0] } }
        #expect(Set(first.flatMap { $0 }) == [0, 2])
        #expect(first[0] != first[1] && first[1] != first[2])
        for t in 1..<4 {
            for b in 0..<3 {
                for j in 0..<16 { #expect(f.output[t, b, j] == first[b][j] * f.output[t - 1, b, j]) }
            }
        }
    }

    @Test func masksDifferAcrossLayersAndDirections() throws {
        var g = SeededGenerator(seed: 25)
        let net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "zoneout-gru", inputSize: 2, hiddenSize: 8, configuration: .init(bidirectional: true), using: &g)
        let f = try net.forward(Tensor.random([30, 1, 2], using: &g), training: true, generator: &g)
        func keptPattern(_ direction: Int) -> [Bool] {
            (1..<30).flatMap { t in (0..<8).map { j in f.output[t, 0, direction * 8 + j] == f.output[t - 1, 0, direction * 8 + j] } }
        }
        #expect(keptPattern(0) != keptPattern(1))
    }
}

@Suite struct GateStatisticsTests {
    /// With zero weights the carry gate is σ(bias): 0.5 everywhere for a zero bias, saturated
    /// for a large one.
    @Test(arguments: [("gru", "bias_ih_l0", 12, 4..<8), ("lstm", "bias_ih_l0", 16, 4..<8), ("d2l-gru", "b_z_l0", 4, 0..<4)])
    func theCarryGateIsSummarised(cell: String, bias: String, count: Int, gate: Range<Int>) throws {
        var g = SeededGenerator(seed: 30)
        var net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: cell, inputSize: 2, hiddenSize: 4, using: &g)
        net.parameters = net.parameters.zeros()
        let x = Tensor<Double>.random([5, 3, 2], using: &g)
        let half = try net.gateStatistics(of: net.forward(x, generator: &g))
        #expect(half == [GateStatistics(mean: 0.5, saturatedFraction: 0)])
        var p = net.parameters
        p[bias] = Tensor(shape: [count], scalars: (0..<count).map { gate.contains($0) ? 20 : 0 })
        net.parameters = p
        let stats = try #require(try net.gateStatistics(of: net.forward(x, generator: &g)).first ?? nil)
        #expect(stats.mean > 0.999_999 && stats.saturatedFraction == 1)
    }

    @Test func cellsWithoutACarryGateHaveNone() throws {
        var g = SeededGenerator(seed: 31)
        let net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "rnn-tanh", inputSize: 2, hiddenSize: 4, configuration: .init(bidirectional: true), using: &g)
        #expect(try net.gateStatistics(of: net.forward(Tensor.random([3, 1, 2], using: &g), generator: &g)) == [nil, nil])
    }
}

@Suite struct RecurrentMaskTests {
    /// A GRU whose update gate is saturated carries h unchanged: the recurrent mask reaches its
    /// products, not the carry, so the state does not grow by 1/(1-q) per step.
    @Test(arguments: [("gru", "bias_ih_l0", 12, 4..<8), ("d2l-gru", "b_z_l0", 4, 0..<4)])
    func theMaskDoesNotAmplifyTheCarriedState(cell: String, bias: String, count: Int, gate: Range<Int>) throws {
        var g = SeededGenerator(seed: 32)
        var net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: cell, inputSize: 2, hiddenSize: 4,
            configuration: .init(modifiers: StateModifiers(recurrentDropout: 0.5)), using: &g)
        var p = net.parameters.zeros()
        p[bias] = Tensor(shape: [count], scalars: (0..<count).map { gate.contains($0) ? 40 : 0 })
        net.parameters = p
        let h0 = RecurrentState<Double>(h: Tensor(repeating: 1, shape: [1, 3, 4]))
        let f = try net.forward(Tensor.random([50, 3, 2], using: &g), initialState: h0, training: true, generator: &g)
        #expect(f.finalState.h.maxAbsoluteDifference(h0.h) < 1e-12)
    }
}

@Suite struct GaussianNoiseTests {
    func learnedNetwork(_ cell: String) throws -> RecurrentNetwork<Double> {
        var g = SeededGenerator(seed: 34)
        return try CellRegistry.builtIn.makeNetwork(
            cell: cell, inputSize: 3, hiddenSize: 4,
            configuration: .init(numLayers: 2, bidirectional: true,
                                 modifiers: StateModifiers(gaussianNoise: 0.3, learnedNoise: true)), using: &g)
    }

    /// `log_alpha` is a parameter of every layer and direction, and its gradient (through the
    /// reparameterisation, with the noise fixed) passes the central-difference check.
    @Test(arguments: ["gru", "lstm"])
    func learnedAlphaHasExactGradients(cell: String) throws {
        let net = try learnedNetwork(cell)
        #expect(net.parameters.names.filter { $0.hasPrefix("log_alpha") }
                == ["log_alpha_l0", "log_alpha_l0_reverse", "log_alpha_l1", "log_alpha_l1_reverse"])
        #expect(abs(net.parameters["log_alpha_l1"]!.scalars[0] - Double.log(0.3)) < 1e-15)
        var g = SeededGenerator(seed: 35)
        let results = try GradientCheck().run(net, steps: 4, batch: 3, lengths: [4, 2, 3], training: true, using: &g)
        for r in results { #expect(r.passed, "\(r.name): \(r.maxError) at \(r.scale)") }
        #expect(results.contains { $0.name == "log_alpha_l1_reverse" })
    }

    @Test func theKLGradientIsTheDerivativeOfTheKL() throws {
        var net = try learnedNetwork("gru")
        var p = net.parameters
        p["log_alpha_l0"] = Tensor(shape: [4], scalars: [-3, -1, -0.2, 0.4])  // one alpha above 1
        net.parameters = p
        let kl = try #require(net.noiseKL())
        for (i, _) in [-3.0, -1, -0.2, 0.4].enumerated() {
            func value(_ delta: Double) -> Double {
                var shifted = net
                var q = shifted.parameters
                var la = q["log_alpha_l0"]!
                la.withUnsafeMutableBufferPointer { $0[i] += delta }
                q["log_alpha_l0"] = la
                shifted.parameters = q
                return shifted.noiseKL()!.value
            }
            let numeric = (value(1e-6) - value(-1e-6)) / 2e-6
            #expect(abs(kl.gradient["log_alpha_l0"]!.scalars[i] - numeric) < 1e-6)
        }
        #expect(kl.gradient["weight_hh_l0"] == Tensor(zeros: [12, 4]))
    }

    /// With `W = 0` and biases making `z = 0` and `n = 1`, a GRU outputs `ε` itself: the noise's
    /// moments, a new draw at every step, and no noise at evaluation.
    @Test func theNoiseIsNOfOneAndAlphaAtEveryStepAndOffAtEvaluation() throws {
        var g = SeededGenerator(seed: 33)
        var net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "gru", inputSize: 1, hiddenSize: 50,
            configuration: .init(modifiers: StateModifiers(gaussianNoise: 0.2)), using: &g)
        var p = net.parameters.zeros()
        p["bias_ih_l0"] = Tensor(shape: [150], scalars: (0..<150).map { $0 < 50 ? 0 : $0 < 100 ? -40 : 40 })
        net.parameters = p
        let x = Tensor<Double>(zeros: [40, 10, 1])
        let noisy = try net.forward(x, training: true, generator: &g).output.scalars
        let n = Double(noisy.count)
        let mean = noisy.reduce(0, +) / n
        let variance = noisy.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
        #expect(abs(mean - 1) < 5 * (0.2 / n).squareRoot())
        #expect(abs(variance - 0.2) < 0.02)
        #expect(Array(noisy[0..<500]) != Array(noisy[500..<1000]))
        #expect(try net.forward(x, training: false, generator: &g).output.scalars.allSatisfy { abs($0 - 1) < 1e-15 })
    }
}
