import GRULabCells
import GRULabTensor
import GRULabTestSupport
import Testing

@Suite struct RecurrentNetworkTests {
    func network(_ cell: String, layers: Int = 1, bidirectional: Bool = false,
                 batchFirst: Bool = false) throws -> RecurrentNetwork<Double> {
        var g = SeededGenerator(seed: 9)
        return try CellRegistry.builtIn.makeCheckNetwork(
            cell: cell, inputSize: 3, hiddenSize: 5,
            configuration: .init(numLayers: layers, bidirectional: bidirectional, batchFirst: batchFirst), using: &g)
    }

    /// mlx-swift's GRU skips `b_hn` without an initial state; here omitted means zeros, exactly.
    @Test(arguments: CellRegistry.builtIn.names)
    func omittedInitialStateEqualsExplicitZeros(cell: String) throws {
        let net = try network(cell, layers: 2, bidirectional: true)
        var g = SeededGenerator(seed: 1)
        let x = Tensor<Double>.random([6, 2, net.inputSize], using: &g)
        let stateShape = [4, 2, net.hiddenSize]
        let zeros = RecurrentState<Double>(h: Tensor(zeros: stateShape), c: net.hasCell ? Tensor(zeros: stateShape) : nil)
        let omitted = try net.forward(x, generator: &g)
        let explicit = try net.forward(x, initialState: zeros, generator: &g)
        #expect(omitted.output == explicit.output)
        #expect(omitted.finalState == explicit.finalState)
    }

    @Test(arguments: ["gru", "lstm"])
    func batchFirstIsTheTransposedTimeMajor(cell: String) throws {
        let timeMajor = try network(cell, bidirectional: true)
        var batchFirst = try network(cell, bidirectional: true, batchFirst: true)
        batchFirst.parameters = timeMajor.parameters
        var g = SeededGenerator(seed: 2)
        let x = Tensor<Double>.random([4, 3, 3], using: &g)
        let a = try timeMajor.forward(x, generator: &g)
        let b = try batchFirst.forward(x.swappingFirstTwoDimensions(), generator: &g)
        #expect(b.output == a.output.swappingFirstTwoDimensions())
        #expect(b.finalState == a.finalState)
        var none = NoBackwardObserver<Double>()
        let w = Tensor<Double>.random(a.output.shape, using: &g)
        let ga = timeMajor.backward(a, outputGradient: w, observer: &none)
        let gb = batchFirst.backward(b, outputGradient: w.swappingFirstTwoDimensions(), observer: &none)
        #expect(gb.input.maxAbsoluteDifference(ga.input.swappingFirstTwoDimensions()) == 0)
        #expect(gb.parameters == ga.parameters)
    }

    /// A padded batch gives each sequence exactly what it gives alone, forward and backward.
    @Test(arguments: ["gru", "lstm", "mingru", "cellstate-gru"])
    func variableLengthsMatchSequencesRunAlone(cell: String) throws {
        let net = try network(cell, layers: 2, bidirectional: true)
        var g = SeededGenerator(seed: 3)
        let lengths = [5, 2, 4]
        let x = Tensor<Double>.random([5, 3, 3], using: &g)
        let w = Tensor<Double>.random([5, 3, 10], using: &g)
        let batched = try net.forward(x, lengths: lengths, generator: &g)
        var none = NoBackwardObserver<Double>()
        let batchedGrads = net.backward(batched, outputGradient: w, observer: &none)
        var summed = net.parameters.zeros()
        for (b, length) in lengths.enumerated() {
            let xb = Tensor(shape: [length, 1, 3], scalars: (0..<length).flatMap { t in x[slice: t][slice: b].scalars })
            let wb = Tensor(shape: [length, 1, 10], scalars: (0..<length).flatMap { t in w[slice: t][slice: b].scalars })
            let alone = try net.forward(xb, generator: &g)
            for t in 0..<5 {
                let row = batched.output[slice: t][slice: b]
                let expected = t < length ? alone.output[slice: t][slice: 0] : Tensor(zeros: [10])
                #expect(row.maxAbsoluteDifference(expected) < 1e-14)
            }
            for k in 0..<4 {
                #expect(batched.finalState.h[slice: k][slice: b].maxAbsoluteDifference(alone.finalState.h[slice: k][slice: 0]) < 1e-14)
            }
            let grads = net.backward(alone, outputGradient: wb, observer: &none)
            for t in 0..<length {
                #expect(batchedGrads.input[slice: t][slice: b].maxAbsoluteDifference(grads.input[slice: t][slice: 0]) < 1e-13)
            }
            summed = ParameterSet(summed.entries.indices.map { i in
                (summed.entries[i].name, Tensor(shape: summed.entries[i].shape,
                                                scalars: zip(summed.tensor(at: i).scalars, grads.parameters.tensor(at: i).scalars).map(+)))
            })
        }
        #expect(zip(summed.storage, batchedGrads.parameters.storage).map { abs($0 - $1) }.max()! < 1e-12)
    }

    /// The Float path computes what the Double path does, to Float's rounding.
    @Test(arguments: CellRegistry.builtIn.names)
    func floatPathMatchesDoublePath(cell: String) throws {
        let double = try network(cell, layers: 2, bidirectional: true)
        var g = SeededGenerator(seed: 9)
        var float: RecurrentNetwork<Float> = try CellRegistry.builtIn.makeCheckNetwork(
            cell: cell, inputSize: 3, hiddenSize: 5, configuration: .init(numLayers: 2, bidirectional: true), using: &g)
        float.parameters = ParameterSet(double.parameters.entries.indices.map {
            (double.parameters.entries[$0].name, Tensor<Float>(double.parameters.tensor(at: $0)))
        })
        let x = Tensor<Double>.random([7, 2, double.inputSize], using: &g)
        let w = Tensor<Double>.random([7, 2, 2 * double.hiddenSize], using: &g)
        let fd = try double.forward(x, generator: &g), ff = try float.forward(Tensor(x), generator: &g)
        #expect(Tensor<Double>(ff.output).maxAbsoluteDifference(fd.output) < 1e-5)
        var nd = NoBackwardObserver<Double>(), nf = NoBackwardObserver<Float>()
        let gd = double.backward(fd, outputGradient: w, observer: &nd)
        let gf = float.backward(ff, outputGradient: Tensor(w), observer: &nf)
        let scale = gd.parameters.storage.map(abs).max()!
        let error = zip(gf.parameters.storage, gd.parameters.storage).map { abs(Double($0) - $1) }.max()!
        #expect(error < 1e-4 * scale)
        #expect(Tensor<Double>(gf.input).maxAbsoluteDifference(gd.input) < 1e-4 * gd.input.maxAbsolute)
    }

    @Test func theObserverSeesEveryStepLayerAndDirection() throws {
        struct Log: BackwardObserver {
            var seen: [[Int]] = []
            mutating func observe(_ g: HiddenStateGradient<Double>) {
                seen.append([g.layer, g.direction] + Array(g.times))
            }
        }
        let net = try network("gru", layers: 2, bidirectional: true)
        var g = SeededGenerator(seed: 4)
        let f = try net.forward(Tensor.random([3, 2, 3], using: &g), lengths: [3, 2], generator: &g)
        var log = Log()
        _ = net.backward(f, outputGradient: Tensor.random([3, 2, 10], using: &g), observer: &log)
        #expect(log.seen == [
            [1, 0, 2, -1], [1, 0, 1, 1], [1, 0, 0, 0],
            [1, 1, 0, -1], [1, 1, 1, 0], [1, 1, 2, 1],
            [0, 0, 2, -1], [0, 0, 1, 1], [0, 0, 0, 0],
            [0, 1, 0, -1], [0, 1, 1, 0], [0, 1, 2, 1],
        ])
    }

    @Test func dropoutActsBetweenLayersInTrainingOnly() throws {
        var g = SeededGenerator(seed: 8)
        let net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: "gru", inputSize: 3, hiddenSize: 5, configuration: .init(numLayers: 2, dropout: 0.5), using: &g)
        let x = Tensor<Double>.random([4, 2, 3], using: &g)
        var g1 = SeededGenerator(seed: 1), g2 = SeededGenerator(seed: 1)
        let eval1 = try net.forward(x, generator: &g1), eval2 = try net.forward(x, training: false, generator: &g2)
        #expect(eval1.output == eval2.output)
        let train = try net.forward(x, training: true, generator: &g1)
        #expect(train.output != eval1.output)
    }

    @Test func shapesThatDoNotFitAreErrors() throws {
        let net = try network("gru")
        var g = SeededGenerator(seed: 0)
        #expect(throws: RecurrentNetworkError.inputShape(expected: "[T, N, 3]", got: [4, 2, 7])) {
            try net.forward(Tensor(zeros: [4, 2, 7]), generator: &g)
        }
        #expect(throws: RecurrentNetworkError.initialStateShape(name: "h0", expected: [1, 2, 5], got: [1, 3, 5])) {
            try net.forward(Tensor(zeros: [4, 2, 3]), initialState: RecurrentState(h: Tensor(zeros: [1, 3, 5])), generator: &g)
        }
        #expect(throws: RecurrentNetworkError.lengths(expected: "2 lengths in 1...4", got: [5, 1])) {
            try net.forward(Tensor(zeros: [4, 2, 3]), lengths: [5, 1], generator: &g)
        }
        #expect(RecurrentNetworkError.inputShape(expected: "[T, N, 3]", got: [4, 2, 7]).description
                == "input has shape [4, 2, 7], expected [T, N, 3]")
    }
}
