import GRULabCells
import GRULabTasks
import GRULabTensor
import GRULabTraining
import Testing

/// The model's hand-written backward, including the loss, against central differences in Double.
@Suite struct SequenceModelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let cell: String
        let input: SequenceModel<Double>.InputLayer
        let placement: LossPlacement
        let classification: Bool
        let bidirectional: Bool
        let lengths: [Int]?
        var testDescription: String { "\(cell) \(input) \(placement.rawValue) \(classification ? "ce" : "mse") \(bidirectional ? "bidir " : "")\(lengths.map { "\($0)" } ?? "")" }
    }

    static let cases = [
        Case(cell: "gru", input: .none, placement: .lastStep, classification: false, bidirectional: false, lengths: nil),
        Case(cell: "gru", input: .linear(size: 3), placement: .lastStep, classification: true, bidirectional: true, lengths: [4, 2, 3]),
        Case(cell: "lstm", input: .embedding(size: 3), placement: .everyStep, classification: true, bidirectional: false, lengths: [4, 1, 3]),
        Case(cell: "mingru", input: .linear(size: 2), placement: .everyStep, classification: false, bidirectional: true, lengths: nil),
    ]

    static func model(_ c: Case, outputs: Int, seed: UInt64 = 3) throws -> SequenceModel<Double> {
        var g = SeededGenerator(seed: seed)
        let size: Int = switch c.input { case .none: 4; case let .linear(s), let .embedding(s): s }
        let network: RecurrentNetwork<Double> = try CellRegistry.builtIn.makeNetwork(
            cell: c.cell, inputSize: size, hiddenSize: 3,
            configuration: .init(numLayers: 2, bidirectional: c.bidirectional), using: &g)
        return try SequenceModel(inputSize: 4, inputLayer: c.input, network: network, outputSize: outputs,
                                 placement: c.placement, using: &g)
    }

    @Test(arguments: cases)
    func gradientsMatchCentralDifferencesThroughTheLoss(c: Case) throws {
        let (steps, batch, outputs) = (4, 3, 3)
        var model = try Self.model(c, outputs: outputs)
        var g = SeededGenerator(seed: 9)
        let x = Tensor<Double>(shape: [steps, batch, 4], scalars: (0..<steps * batch * 4).map { _ in g.uniform(-1, 1) })
        let rows = c.placement == .lastStep ? batch : steps * batch
        let target: TaskBatch.Target = c.classification
            ? .classes((0..<rows).map { _ in Int(g.next() % UInt64(outputs)) })
            : .values((0..<rows * outputs).map { _ in g.uniform(-1, 1) })
        let mask: [Double]? = c.placement == .everyStep ? (0..<rows).map { _ in g.bernoulli(0.7) ? 1 : 0 } : nil
        let taskBatch = TaskBatch(x: Tensor(x), lengths: c.lengths, target: target, mask: mask)
        func loss(_ m: SequenceModel<Double>) throws -> (Double, SequenceModel<Double>.Forward, LossValue<Double>) {
            var unused = SeededGenerator(seed: 0)
            let f = try m.forward(x, lengths: c.lengths, generator: &unused)
            let v: LossValue<Double> = Loss.task(f.output, batch: taskBatch, placement: c.placement)
            return (v.loss, f, v)
        }
        let (_, forward, value) = try loss(model)
        var observer = NoBackwardObserver<Double>()
        let analytic = model.backward(forward, outputGradient: value.gradient, observer: &observer)
        let parameters = model.parameters
        #expect(analytic.names == parameters.names)
        let eps = 1e-6
        var worst = 0.0, scale = 1e-3
        for i in 0..<parameters.storage.count {
            var plus = parameters, minus = parameters
            plus.withUnsafeMutableBufferPointer { $0[i] += eps }
            minus.withUnsafeMutableBufferPointer { $0[i] -= eps }
            model.parameters = plus
            let lp = try loss(model).0
            model.parameters = minus
            let lm = try loss(model).0
            let numeric = (lp - lm) / (2 * eps)
            worst = max(worst, abs(numeric - analytic.storage[i]))
            scale = max(scale, abs(numeric))
        }
        #expect(worst <= 1e-6 * scale, "max error \(worst) at scale \(scale)")
    }

    /// Evaluation saves nothing for backward and gives forward's numbers.
    @Test(arguments: cases)
    func evaluateGivesForwardsOutput(c: Case) throws {
        let model = try Self.model(c, outputs: 3)
        var g = SeededGenerator(seed: 2)
        let batch = 9  // split into parts
        let x = Tensor<Double>(shape: [4, batch, 4], scalars: (0..<4 * batch * 4).map { _ in Double(g.next() % 3) })
        let lengths = c.lengths.map { Array(($0 + $0 + $0).prefix(batch)) }
        let forward = try model.forward(x, lengths: lengths, generator: &g).output
        let evaluated = try model.evaluate(x, lengths: lengths)
        #expect(evaluated.shape == forward.shape)
        #expect(evaluated.maxAbsoluteDifference(forward) <= 1e-14)
        #expect(throws: ModelError.inputShape(expected: "[T, N, 4]", got: [4, 2, 5])) {
            try model.evaluate(Tensor(zeros: [4, 2, 5]))
        }
    }

    @Test func parametersAreNamedAsPyTorchWouldNameThem() throws {
        let model = try Self.model(Self.cases[1], outputs: 5)
        let names = model.parameters.names
        #expect(names.prefix(3) == ["input.weight", "input.bias", "rnn.weight_ih_l0"])
        #expect(names.contains("rnn.weight_hh_l1_reverse"))
        #expect(names.suffix(2) == ["head.weight", "head.bias"])
        #expect(model.parameters["input.weight"]!.shape == [3, 4] && model.parameters["head.weight"]!.shape == [5, 6])
    }

    @Test func rejectsANetworkThatDoesNotFit() throws {
        var g = SeededGenerator(seed: 1)
        let network: RecurrentNetwork<Float> = try CellRegistry.builtIn.makeNetwork(cell: "gru", inputSize: 2, hiddenSize: 3, using: &g)
        #expect(throws: ModelError.networkInputSize(expected: 8, got: 2)) {
            try SequenceModel(inputSize: 10, inputLayer: .embedding(size: 8), network: network, outputSize: 1,
                              placement: .lastStep, using: &g)
        }
    }
}
