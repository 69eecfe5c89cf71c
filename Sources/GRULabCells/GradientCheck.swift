import GRULabTensor

/// The central-difference gradient check: every analytic gradient of a network in `Double`
/// against `(L(θ + ε) - L(θ - ε)) / 2ε`.
///
/// The loss is a fixed random weighting of the outputs and of `h_n` (and `c_n`), as in the
/// parity fixtures, so every output and every state enters it. With `ε = 1e-6` the truncation
/// error is O(ε²) ≈ 1e-12 and the rounding error about 1e-16 / ε ≈ 1e-10, so a correct
/// gradient agrees to about 1e-8 relative to the gradient's scale; the default tolerance, 1e-6,
/// leaves room for that and still catches any wrong term.
public struct GradientCheck {
    /// One checked tensor: a parameter, `x`, `h0` or `c0`.
    public struct Result: Sendable, Equatable {
        public let name: String
        public let maxError: Double
        public let scale: Double
        public let passed: Bool
    }

    public var epsilon: Double
    public var tolerance: Double

    public init(epsilon: Double = 1e-6, tolerance: Double = 1e-6) {
        self.epsilon = epsilon
        self.tolerance = tolerance
    }

    /// Checks every gradient of `network` on random inputs drawn from `generator`, over `steps`
    /// steps of `batch` sequences with the given `lengths` (all `steps` when omitted).
    ///
    /// With `training`, modifiers and dropout draw their masks as in training, from the same
    /// seed at every evaluation of the loss: the masks are fixed, so the loss is a smooth
    /// function of the parameters and the check is exact.
    public func run(_ network: RecurrentNetwork<Double>, steps: Int, batch: Int, lengths: [Int]? = nil,
                    training: Bool = false, using generator: inout SeededGenerator) throws -> [Result] {
        let config = network.configuration
        let inputShape = config.batchFirst ? [batch, steps, network.inputSize] : [steps, batch, network.inputSize]
        let stateShape = [network.cells.count, batch, network.hiddenSize]
        func random(_ shape: [Int]) -> Tensor<Double> {
            Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in generator.uniform(-1, 1) })
        }
        let x = random(inputShape), h0 = random(stateShape)
        let c0 = network.hasCell ? random(stateShape) : nil
        let outputWeights = random(Array(inputShape.dropLast()) + [config.directions * network.hiddenSize])
        let hWeights = random(stateShape), cWeights = network.hasCell ? random(stateShape) : nil

        func loss(_ network: RecurrentNetwork<Double>, _ x: Tensor<Double>, _ h0: Tensor<Double>,
                  _ c0: Tensor<Double>?) throws -> Double {
            var masks = SeededGenerator(seed: 0)
            let f = try network.forward(x, initialState: RecurrentState(h: h0, c: c0), lengths: lengths,
                                        training: training, generator: &masks)
            var total = zip(f.output.scalars, outputWeights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
            total += zip(f.finalState.h.scalars, hWeights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
            if let c = f.finalState.c, let w = cWeights {
                total += zip(c.scalars, w.scalars).reduce(0) { $0 + $1.0 * $1.1 }
            }
            return total
        }

        var masks = SeededGenerator(seed: 0)
        let forward = try network.forward(x, initialState: RecurrentState(h: h0, c: c0), lengths: lengths,
                                          training: training, generator: &masks)
        var observer = NoBackwardObserver<Double>()
        let analytic = network.backward(forward, outputGradient: outputWeights,
                                        finalStateGradient: RecurrentState(h: hWeights, c: cWeights),
                                        observer: &observer)

        func numeric(_ count: Int, _ perturbed: (Int, Double) throws -> Double) rethrows -> [Double] {
            try (0..<count).map { i in (try perturbed(i, epsilon) - perturbed(i, -epsilon)) / (2 * epsilon) }
        }
        func result(_ name: String, _ analytic: [Double], _ numeric: [Double]) -> Result {
            let scale = max(analytic.map(abs).max() ?? 0, numeric.map(abs).max() ?? 0, 1e-3)
            let error = zip(analytic, numeric).map { abs($0 - $1) }.max() ?? 0
            return Result(name: name, maxError: error, scale: scale, passed: error <= tolerance * scale)
        }

        var results: [Result] = []
        let parameters = network.parameters
        for (index, entry) in parameters.entries.enumerated() {
            let values = parameters.tensor(at: index)
            let gradient = analytic.parameters.tensor(at: index).scalars
            let estimate = try numeric(values.count) { i, delta in
                var shifted = values
                shifted.withUnsafeMutableBufferPointer { $0[i] += delta }
                var p = parameters
                p[entry.name] = shifted
                var copy = network
                copy.parameters = p
                return try loss(copy, x, h0, c0)
            }
            results.append(result(entry.name, gradient, estimate))
        }
        func shifted(_ t: Tensor<Double>, _ i: Int, _ delta: Double) -> Tensor<Double> {
            var t = t
            t.withUnsafeMutableBufferPointer { $0[i] += delta }
            return t
        }
        results.append(result("x", analytic.input.scalars,
                              try numeric(x.count) { try loss(network, shifted(x, $0, $1), h0, c0) }))
        results.append(result("h0", analytic.initialState.h.scalars,
                              try numeric(h0.count) { try loss(network, x, shifted(h0, $0, $1), c0) }))
        if let c0, let dc0 = analytic.initialState.c {
            results.append(result("c0", dc0.scalars,
                                  try numeric(c0.count) { try loss(network, x, h0, shifted(c0, $0, $1)) }))
        }
        return results
    }
}

extension CellRegistry {
    /// The feature maps of ``makeCheckNetwork(cell:inputSize:hiddenSize:configuration:options:using:)``:
    /// 3 × 2, so that a transposed index shows, with 3 × 3 kernels that reach past every border.
    public static let checkFeatureMap = FeatureMap(height: 3, width: 2, kernelSize: 3)

    /// A small network of the cell called `name` for checks and tests: `inputSize` and
    /// `hiddenSize` features, or for a convolutional cell half as many channels (at least 1)
    /// over ``checkFeatureMap``, since each channel brings `k²` weights per channel it reads.
    public func makeCheckNetwork<Scalar: TensorScalar>(
        cell name: String, inputSize: Int, hiddenSize: Int,
        configuration: RecurrentNetwork<Scalar>.Configuration = .init(), options: CellOptions = .init(),
        using generator: inout SeededGenerator
    ) throws -> RecurrentNetwork<Scalar> {
        var options = options
        var (inputSize, hiddenSize) = (inputSize, hiddenSize)
        if try descriptor(named: name).convolutional {
            let map = Self.checkFeatureMap
            options.featureMap = map
            inputSize = max(1, inputSize / 2) * map.pixels
            hiddenSize = max(1, hiddenSize / 2) * map.pixels
        }
        return try makeNetwork(cell: name, inputSize: inputSize, hiddenSize: hiddenSize,
                               configuration: configuration, options: options, using: &generator)
    }
}
