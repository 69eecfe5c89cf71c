@testable import GRULabCells
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

    /// A batch is split into parts whose passes run at once; any number of parts gives the same
    /// numbers, gradients, gradient norms and random masks (drawn per sequence).
    @Test(arguments: CellRegistry.builtIn.names)
    func forwardAndBackwardGiveTheSameNumbersInAnyNumberOfParts(cell: String) throws {
        let modifierSets = ["gru", "lstm", "rnn-tanh"].contains(cell)
            ? [StateModifiers.none, StateModifiers(zoneout: 0.2, zoneoutCell: 0.1, inputDropout: 0.2, recurrentDropout: 0.3,
                                                   gaussianNoise: 0.1)]
            : [StateModifiers.none]
        for modifiers in modifierSets {
            var g = SeededGenerator(seed: 5)
            let net: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeCheckNetwork(
                cell: cell, inputSize: 3, hiddenSize: 5,
                configuration: .init(numLayers: 2, bidirectional: true, dropout: 0.3, modifiers: modifiers), using: &g)
            let (steps, batch) = (5, 9)
            let x = Tensor<Double>.random([steps, batch, net.inputSize], using: &g)
            let stateShape = [4, batch, net.hiddenSize]
            let initial = RecurrentState<Double>(h: .random(stateShape, using: &g),
                                                 c: net.hasCell ? .random(stateShape, using: &g) : nil)
            let finalGradient = RecurrentState<Double>(h: .random(stateShape, using: &g),
                                                       c: net.hasCell ? .random(stateShape, using: &g) : nil)
            let w = Tensor<Double>.random([steps, batch, 2 * net.hiddenSize], using: &g)
            let lengths = [5, 1, 3, 5, 2, 4, 5, 3, 1]
            func pass(parts: Int) throws -> (RecurrentNetwork<Double>.Forward, RecurrentNetwork<Double>.Gradients, [[Double]]) {
                let f = try net.forward(x, initialState: initial, lengths: lengths, training: true, maskSeed: 17, parts: parts)
                var norms = GradientNormRecorder<Double>(layers: 2, directions: 2, steps: steps)
                let gradients = net.backward(f, outputGradient: w, finalStateGradient: finalGradient, observer: &norms)
                return (f, gradients, norms.norms)
            }
            let (f1, g1, n1) = try pass(parts: 1)
            for parts in [2, 3] {
                let (f, gradients, norms) = try pass(parts: parts)
                #expect(f.output.maxAbsoluteDifference(f1.output) <= 1e-14, "\(modifiers), \(parts) parts")
                #expect(f.finalState.h.maxAbsoluteDifference(f1.finalState.h) <= 1e-14)
                #expect(gradients.input.maxAbsoluteDifference(g1.input) <= 1e-13)
                #expect(gradients.initialState.h.maxAbsoluteDifference(g1.initialState.h) <= 1e-13)
                #expect(gradients.initialState.c.map { $0.maxAbsoluteDifference(g1.initialState.c!) <= 1e-13 } ?? true)
                let scale = g1.parameters.storage.map(abs).max()!
                #expect(zip(gradients.parameters.storage, g1.parameters.storage).allSatisfy { abs($0 - $1) <= 1e-13 * scale })
                #expect(zip(norms.joined(), n1.joined()).allSatisfy { abs($0 - $1) <= 1e-13 * max(1, $1) })
                #expect(net.gateStatistics(of: f) == net.gateStatistics(of: f1)
                        || zip(net.gateStatistics(of: f), net.gateStatistics(of: f1)).allSatisfy {
                            abs(($0?.mean ?? 0) - ($1?.mean ?? 0)) <= 1e-14 })
            }
        }
    }

    /// Parts run at once with BLAS threads to share and one after the other without: the same
    /// bits either way.
    @Test func theNumbersDoNotDependOnTheThreads() throws {
        var g = SeededGenerator(seed: 6)
        let net: RecurrentNetwork<Float> = try CellRegistry.builtIn.makeNetwork(
            cell: "gru", inputSize: 4, hiddenSize: 32, configuration: .init(modifiers: StateModifiers(zoneout: 0.1)), using: &g)
        let x = Tensor<Float>(Tensor<Double>.random([20, 16, 4], using: &g))
        let w = Tensor<Float>(Tensor<Double>.random([20, 16, 32], using: &g))
        let threads = blasThreads()
        defer { setBLASThreads(threads) }
        var results: [(Tensor<Float>, [Float], [[Double]])] = []
        for count in [1, 2] {
            setBLASThreads(count)
            var masks = SeededGenerator(seed: 1)
            let f = try net.forward(x, training: true, generator: &masks)
            var norms = GradientNormRecorder<Float>(layers: 1, directions: 1, steps: 20)
            results.append((f.output, net.backward(f, outputGradient: w, observer: &norms).parameters.storage, norms.norms))
        }
        #expect(results[0].0 == results[1].0)
        #expect(results[0].1 == results[1].1)
        #expect(results[0].2 == results[1].2)
    }

    /// An observer that cannot be split watches the parts one after the other.
    @Test func anObserverThatCannotBeSplitWatchesThePartsInTurn() throws {
        struct Log: BackwardObserver {
            var seen: [[Int]] = []
            mutating func observe(_ g: HiddenStateGradient<Double>) {
                seen.append([g.firstSequence, g.times.count, g.times[0]])
            }
        }
        let net = try network("gru")
        var g = SeededGenerator(seed: 4)
        let f = try net.forward(Tensor.random([2, 9, 3], using: &g), generator: &g)
        var log = Log()
        _ = net.backward(f, outputGradient: Tensor.random([2, 9, 5], using: &g), observer: &log)
        #expect(log.seen == [[0, 4, 1], [0, 4, 0], [4, 5, 1], [4, 5, 0]])
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

    /// Evaluation saves nothing for backward and splits the batch into parts that run at once;
    /// every part count gives forward's numbers, with padding, both directions and a memory cell.
    @Test(arguments: CellRegistry.builtIn.names)
    func evaluateGivesForwardsNumbersInAnyNumberOfParts(cell: String) throws {
        for batchFirst in [false, true] {
            let net = try network(cell, layers: 2, bidirectional: true, batchFirst: batchFirst)
            var g = SeededGenerator(seed: 4)
            let (steps, batch) = (6, 9)
            let x = Tensor<Double>.random(batchFirst ? [batch, steps, net.inputSize] : [steps, batch, net.inputSize], using: &g)
            let stateShape = [4, batch, net.hiddenSize]
            let initial = RecurrentState<Double>(h: .random(stateShape, using: &g),
                                                 c: net.hasCell ? .random(stateShape, using: &g) : nil)
            let lengths = [6, 1, 3, 6, 2, 5, 6, 4, 1]
            let reference = try net.forward(x, initialState: initial, lengths: lengths, generator: &g)
            for parts in [1, 2, 3, 9] {
                let evaluated = try net.evaluate(x, initialState: initial, lengths: lengths, parts: parts)
                #expect(evaluated.output.shape == reference.output.shape)
                #expect(evaluated.output.maxAbsoluteDifference(reference.output) <= 1e-14, "\(parts) parts")
                #expect(evaluated.finalState.h.maxAbsoluteDifference(reference.finalState.h) <= 1e-14)
                #expect(evaluated.finalState.c.map { $0.maxAbsoluteDifference(reference.finalState.c!) <= 1e-14 }
                        ?? !net.hasCell)
            }
            #expect(try net.evaluate(x, initialState: initial, lengths: lengths) == net.evaluate(x, initialState: initial, lengths: lengths, parts: 2))
        }
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
        #expect(throws: RecurrentNetworkError.lengths(expected: "2 lengths in 1...4", got: [5, 1])) {
            try net.evaluate(Tensor(zeros: [4, 2, 3]), lengths: [5, 1])
        }
        #expect(throws: RecurrentNetworkError.inputShape(expected: "[T, N, 3]", got: [4, 9, 7])) {
            try net.evaluate(Tensor(zeros: [4, 9, 7]), initialState: nil, lengths: nil, parts: 2)
        }
        #expect(RecurrentNetworkError.inputShape(expected: "[T, N, 3]", got: [4, 2, 7]).description
                == "input has shape [4, 2, 7], expected [T, N, 3]")
    }
}
