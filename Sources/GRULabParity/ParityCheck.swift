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
    /// - Throws: ``ParityError`` when the fixture names an unknown cell or lacks a parameter.
    public func run(_ fixture: ParityFixture) throws -> [ParityComparison] {
        let configuration = RecurrentNetwork<Scalar>.Configuration(
            numLayers: fixture.numLayers, bidirectional: fixture.bidirectional,
            modifiers: StateModifiers(zoneout: fixture.zoneout ?? 0))
        var generator = SeededGenerator(seed: 0)
        var network: RecurrentNetwork<Scalar>
        do {
            network = try registry.makeNetwork(cell: fixture.cell, inputSize: fixture.inputSize,
                                               hiddenSize: fixture.hiddenSize, configuration: configuration,
                                               options: CellOptions(featureMap: fixture.featureMap), using: &generator)
        } catch CellRegistryError.unknown(let name, let known) {
            throw ParityError.unknownCell(file: fixture.file, cell: name, known: known)
        } catch {
            throw ParityError.invalidValue(file: fixture.file, key: "cell", expected: "a cell that fits the fixture: \(error)")
        }
        var parameters = network.parameters
        var fixtureNames: [String: String] = [:]
        for name in parameters.names {
            let plain = name.hasSuffix("_l0") ? String(name.dropLast(3)) : nil
            guard let (fixtureName, value) = [name, plain].compactMap({ $0 })
                .compactMap({ n in fixture.parameters[n].map { (n, $0) } }).first else {
                throw ParityError.missingKey(file: fixture.file, key: "params.\(name)")
            }
            let expectedShape = parameters[name]!.shape
            guard value.count == expectedShape.reduce(1, *) else {
                throw ParityError.invalidValue(file: fixture.file, key: "params.\(fixtureName)",
                                               expected: "shape \(expectedShape), found \(value.shape)")
            }
            parameters[name] = Tensor<Scalar>(value).reshaped(expectedShape)
            fixtureNames[name] = fixtureName
        }
        network.parameters = parameters

        let initial = fixture.h0.map {
            RecurrentState<Scalar>(h: Tensor($0), c: fixture.c0.map { Tensor($0) })
        }
        let forward = try network.forward(Tensor(fixture.x), initialState: initial, generator: &generator)
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
        return try fixture.expected.map { name, expected in
            guard let value = actual[name] else {
                throw ParityError.invalidValue(file: fixture.file, key: "expected.\(name)",
                                               expected: "a tensor GRULab computes (output, h_n, loss, grad.*, grad_h_norm)")
            }
            let scale = expected.maxAbsolute
            return ParityComparison(name: name, maxError: value.reshaped(expected.shape).maxAbsoluteDifference(expected),
                                    scale: scale, allowed: Self.tolerance * max(scale, 1e-300))
        }
    }

    private func weightedSum(_ a: Tensor<Scalar>, _ w: Tensor<Scalar>) -> Scalar {
        a.withUnsafeBufferPointer { x in w.withUnsafeBufferPointer { Scalar.dot(x.baseAddress!, $0.baseAddress!, count: x.count) } }
    }
}
