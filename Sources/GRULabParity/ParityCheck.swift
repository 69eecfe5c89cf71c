import GRULabCells
import GRULabTensor

/// One compared tensor of a parity check.
public struct ParityComparison: Sendable, Equatable {
    /// `output`, `h_n`, `loss`, `grad.<parameter>`, `grad.x`, `grad.h0`, `grad_h_norm`.
    public let name: String
    /// The largest absolute difference to the expected values.
    public let maxError: Double
    /// The largest absolute expected value: the tensor's scale.
    public let scale: Double
    /// The largest allowed `maxError`: `tolerance * max(scale, 1e-300)`.
    public let allowed: Double

    public var passed: Bool { maxError <= allowed }
}

/// Runs a fixture's cell in `Scalar` precision and compares every expected tensor.
///
/// The tolerance is relative to each tensor's scale: `1e-9` in float64 (PyTorch's reference
/// is float64 too, so this is rounding), `1e-4` in float32.
public struct ParityCheck<Scalar: TensorScalar> {
    public let registry: CellRegistry

    public init(registry: CellRegistry = .builtIn) {
        self.registry = registry
    }

    /// The relative tolerance of `Scalar`.
    public static var tolerance: Double { Scalar.self == Double.self ? 1e-9 : 1e-4 }

    /// The comparisons of every expected tensor of `fixture`, in the fixture's order.
    /// - Throws: ``ParityError`` when the fixture names an unknown cell, lacks a parameter, or
    ///   holds a tensor of another shape than its sizes say.
    public func run(_ fixture: ParityFixture) throws(ParityError) -> [ParityComparison] {
        try checkSizes(fixture)
        let configuration = RecurrentNetwork<Scalar>.Configuration(
            numLayers: fixture.numLayers, bidirectional: fixture.bidirectional,
            modifiers: StateModifiers(zoneout: fixture.zoneout ?? 0))
        var generator = SeededGenerator(seed: 0)
        var network: RecurrentNetwork<Scalar>
        do {
            network = try registry.makeNetwork(cell: fixture.cell, inputSize: fixture.inputSize,
                                               hiddenSize: fixture.hiddenSize, configuration: configuration,
                                               options: CellOptions(featureMap: fixture.featureMap), using: &generator)
        } catch let CellRegistryError.unknown(name, known) {
            throw .unknownCell(file: fixture.file, cell: name, known: known)
        } catch {
            throw .invalidValue(file: fixture.file, key: "cell", expected: "a cell the registry can make: \(error)")
        }
        var parameters = network.parameters
        var fixtureNames: [String: String] = [:]
        for name in parameters.names {
            let plain = name.hasSuffix("_l0") ? String(name.dropLast(3)) : nil
            guard let (fixtureName, value) = [name, plain].compactMap({ $0 })
                .compactMap({ n in fixture.parameters[n].map { (n, $0) } }).first else {
                throw .missingKey(file: fixture.file, key: "params.\(name)")
            }
            let expectedShape = parameters[name]!.shape
            guard value.count == expectedShape.reduce(1, *) else {
                throw .invalidValue(file: fixture.file, key: "params.\(fixtureName)",
                                    expected: "shape \(expectedShape), found \(value.shape)")
            }
            parameters[name] = Tensor<Scalar>(value).reshaped(expectedShape)
            fixtureNames[name] = fixtureName
        }
        network.parameters = parameters

        let initial = fixture.h0.map {
            RecurrentState<Scalar>(h: Tensor($0), c: fixture.c0.map { Tensor($0) })
        }
        let forward: RecurrentNetwork<Scalar>.Forward
        do {
            forward = try network.forward(Tensor(fixture.x), initialState: initial, generator: &generator)
        } catch {
            throw .invalidValue(file: fixture.file, key: "x, h0, c0", expected: "tensors that fit the network: \(error)")
        }
        var recorder = GradientNormRecorder<Scalar>(layers: fixture.numLayers,
                                                    directions: configuration.directions,
                                                    steps: fixture.x.shape[0])
        let outputWeights = fixture.outputWeights.map { Tensor<Scalar>($0) }
        let finalWeights = Tensor<Scalar>(fixture.finalStateWeights)
        let gradients = network.backward(
            forward, outputGradient: outputWeights,
            finalStateGradient: RecurrentState(h: finalWeights, c: network.hasCell ? Tensor(zeros: finalWeights.shape) : nil),
            observer: &recorder)

        var loss = Double(weightedSum(forward.finalState.h, finalWeights))
        if let outputWeights { loss += Double(weightedSum(forward.output, outputWeights)) }
        var actual: [String: Tensor<Double>] = [
            "output": Tensor(forward.output), "h_n": Tensor(forward.finalState.h),
            "loss": Tensor(shape: [1], scalars: [loss]),
            "grad.x": Tensor(gradients.input), "grad.h0": Tensor(gradients.initialState.h),
            "grad_h_norm": Tensor(shape: [fixture.x.shape[0]], scalars: recorder.norms[0]),
        ]
        if let c = gradients.initialState.c { actual["grad.c0"] = Tensor(c) }
        for (name, fixtureName) in fixtureNames {
            actual["grad.\(fixtureName)"] = Tensor(gradients.parameters[name]!)
        }
        return try fixture.expected.map { (name, expected) throws(ParityError) in
            guard let value = actual[name] else {
                throw .invalidValue(file: fixture.file, key: "expected.\(name)",
                                    expected: "a tensor GRULab computes (output, h_n, loss, grad.*, grad_h_norm)")
            }
            guard value.count == expected.count else {
                throw .invalidValue(file: fixture.file, key: "expected.\(name)",
                                    expected: "shape \(value.shape) (\(value.count) values), found \(expected.shape)")
            }
            let scale = expected.maxAbsolute
            return ParityComparison(name: name, maxError: value.reshaped(expected.shape).maxAbsoluteDifference(expected),
                                    scale: scale, allowed: Self.tolerance * max(scale, 1e-300))
        }
    }

    /// Refuses sizes the file's parameters cannot fill before a network of those sizes is
    /// allocated: every cell has at least `H · C` weights in its first layer and `H · H` in each
    /// later one, so a fixture holding fewer numbers misstates its sizes (a `hidden_size` of
    /// 10^6 would be terabytes).
    private func checkSizes(_ fixture: ParityFixture) throws(ParityError) {
        let held = fixture.parameters.values.reduce(0) { $0 + $1.count }
        // a convolutional cell's weights grow with its channels, not with its flat sizes
        let pixels = Double(fixture.featureMap?.pixels ?? 1)
        let (input, hidden) = (Double(fixture.inputSize) / pixels, Double(fixture.hiddenSize) / pixels)
        let directions: Double = fixture.bidirectional ? 2 : 1
        let needed = directions * hidden * (input + Double(fixture.numLayers - 1) * hidden)
        guard needed <= Double(held) else {
            throw .invalidValue(
                file: fixture.file, key: "input_size, hidden_size, num_layers",
                expected: "sizes the parameters fill: input_size \(fixture.inputSize), hidden_size \(fixture.hiddenSize), "
                    + "num_layers \(fixture.numLayers) need at least \(Int(needed)) weights, the file's params hold \(held) numbers")
        }
    }

    private func weightedSum(_ a: Tensor<Scalar>, _ w: Tensor<Scalar>) -> Scalar {
        a.withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { Scalar.dot(x.baseAddress!, $0.baseAddress!, count: x.count) } }
    }
}
