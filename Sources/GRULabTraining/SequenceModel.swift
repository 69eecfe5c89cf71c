import GRULabCells
import GRULabTasks
import GRULabTensor

/// A sequence model: an optional input layer, a ``RecurrentNetwork`` of any registered cell,
/// and a linear head, with an exact hand-written backward pass.
///
/// ```
/// x  [T, N, C]
/// e  = x W_inᵀ (+ b_in)               [T, N, E]      (the input layer; e = x without one)
/// o  = RecurrentNetwork(e)            [T, N, D*H]
/// y  = o_last W_headᵀ + b_head        [N, O]         last step: o at t = lengths[b] - 1
///    = o W_headᵀ + b_head             [T, N, O]      every step
/// ```
///
/// The input layer is a linear projection C → E with bias (`.linear`), or a bias-free projection
/// (`.embedding`): over one-hot token inputs that is exactly an embedding lookup, initialised as
/// PyTorch's `nn.Embedding` (N(0, 1)). Linear layers are initialised as PyTorch's `nn.Linear`,
/// U(-1/√in, 1/√in). For a bidirectional network the last-step head reads `output[lengths[b] - 1]`,
/// as indexing PyTorch's output does: the forward direction's final state next to the reverse
/// direction's first step.
///
/// Parameters, in this order: `input.weight [E, C]`, `input.bias [E]` (linear only),
/// `rnn.<network parameter>` (`rnn.weight_ih_l0`, …), `head.weight [O, D*H]`, `head.bias [O]`.
public struct SequenceModel<Scalar: TensorScalar>: Sendable {
    /// What maps each input step before the recurrent network.
    public enum InputLayer: Sendable, Equatable {
        /// None: the network sees `x`.
        case none
        /// A linear projection `C → size` with bias.
        case linear(size: Int)
        /// A bias-free projection `C → size`: an embedding of one-hot inputs.
        case embedding(size: Int)
    }

    /// `C`.
    public let inputSize: Int
    public let inputLayer: InputLayer
    /// `O`, the outputs per predicted step.
    public let outputSize: Int
    /// Where the head reads the network's output.
    public let placement: LossPlacement
    /// The recurrent layers.
    public var network: RecurrentNetwork<Scalar>
    private var inputParameters: ParameterSet<Scalar>
    private var headParameters: ParameterSet<Scalar>

    /// A model around `network`, its input layer and head initialised from `generator`.
    ///
    /// - Throws: ``ModelError`` when `network` is batch-first or takes another input size than
    ///   the input layer gives.
    public init(inputSize: Int, inputLayer: InputLayer = .none, network: RecurrentNetwork<Scalar>,
                outputSize: Int, placement: LossPlacement, using generator: inout SeededGenerator) throws(ModelError) {
        guard inputSize >= 1 else { throw .invalidSize(name: "input size", value: inputSize) }
        guard outputSize >= 1 else { throw .invalidSize(name: "output size", value: outputSize) }
        guard !network.configuration.batchFirst else { throw .batchFirstNetwork }
        self.inputSize = inputSize
        self.inputLayer = inputLayer
        self.outputSize = outputSize
        self.placement = placement
        self.network = network
        var input = ParameterSet<Scalar>()
        let projected: Int
        switch inputLayer {
        case .none:
            projected = inputSize
        case let .linear(size):
            guard size >= 1 else { throw .invalidSize(name: "input projection size", value: size) }
            projected = size
            input.append("weight", Self.uniform([size, inputSize], fanIn: inputSize, &generator))
            input.append("bias", Self.uniform([size], fanIn: inputSize, &generator))
        case let .embedding(size):
            guard size >= 1 else { throw .invalidSize(name: "embedding size", value: size) }
            projected = size
            input.append("weight", Tensor(shape: [size, inputSize],
                                          scalars: (0..<size * inputSize).map { _ in generator.normal() }))
        }
        guard network.inputSize == projected else { throw .networkInputSize(expected: projected, got: network.inputSize) }
        inputParameters = input
        let features = network.configuration.directions * network.hiddenSize
        headParameters = ParameterSet([("weight", Self.uniform([outputSize, features], fanIn: features, &generator)),
                                       ("bias", Self.uniform([outputSize], fanIn: features, &generator))])
    }

    private static func uniform(_ shape: [Int], fanIn: Int, _ g: inout SeededGenerator) -> Tensor<Scalar> {
        let bound = 1 / Scalar(fanIn).squareRoot()
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in g.uniform(-bound, bound) })
    }

    /// `D*H`, the features the head reads.
    public var features: Int { network.configuration.directions * network.hiddenSize }

    private var projectedSize: Int { inputParameters.entries.first?.shape[0] ?? inputSize }

    /// All parameters as one set, named `input.*`, `rnn.*`, `head.*`; setting requires the
    /// same names and shapes.
    public var parameters: ParameterSet<Scalar> {
        get {
            Self.joined(input: inputParameters, network: network.parameters, head: headParameters)
        }
        set {
            precondition(newValue.entries.map(\.shape) == parameters.entries.map(\.shape), "parameters of another model")
            let (a, b) = (inputParameters.entries.count, network.parameters.entries.count)
            let strip = { (prefix: String) in { (name: String) in String(name.dropFirst(prefix.count)) } }
            inputParameters = newValue.subset(0..<a).renamed(strip("input."))
            network.parameters = newValue.subset(a..<a + b).renamed(strip("rnn."))
            headParameters = newValue.subset(a + b..<newValue.entries.count).renamed(strip("head."))
        }
    }

    private static func joined(input: ParameterSet<Scalar>, network: ParameterSet<Scalar>,
                               head: ParameterSet<Scalar>) -> ParameterSet<Scalar> {
        input.renamed { "input." + $0 }
            .concatenated(with: network.renamed { "rnn." + $0 })
            .concatenated(with: head.renamed { "head." + $0 })
    }

    /// What ``forward(_:lengths:training:generator:)`` computed, and what backward needs.
    public struct Forward: Sendable {
        /// `[N, O]` (last step) or `[T, N, O]` (every step).
        public let output: Tensor<Scalar>
        /// The recurrent network's pass.
        public let network: RecurrentNetwork<Scalar>.Forward
        fileprivate let input: Tensor<Scalar>
        fileprivate let projected: [Scalar]
        fileprivate let headInput: [Scalar]
        fileprivate let lengths: [Int]?
    }

    /// Runs the model over `x [T, N, C]`.
    ///
    /// - Parameters:
    ///   - lengths: each sequence's valid length in `1...T`; all `T` when omitted.
    ///   - training: whether the network's dropout is active.
    ///   - generator: draws dropout masks.
    /// - Throws: ``ModelError/inputShape(expected:got:)``, or the network's
    ///   `RecurrentNetworkError` for lengths that do not fit.
    public func forward(_ x: Tensor<Scalar>, lengths: [Int]? = nil, training: Bool = false,
                        generator: inout SeededGenerator) throws -> Forward {
        let (networkInput, projected) = try inputLayer(x)
        let pass = try network.forward(networkInput, lengths: lengths, training: training, generator: &generator)
        let head = self.head(pass.output, lengths: lengths)
        return Forward(output: head.output, network: pass, input: x, projected: projected, headInput: head.input,
                       lengths: lengths)
    }

    /// The output of ``forward(_:lengths:training:generator:)`` with `training: false`, the same
    /// numbers, saving nothing for backward (``RecurrentNetwork/evaluate(_:initialState:lengths:)``):
    /// `[N, O]` (last step) or `[T, N, O]` (every step).
    public func evaluate(_ x: Tensor<Scalar>, lengths: [Int]? = nil) throws -> Tensor<Scalar> {
        try head(network.evaluate(inputLayer(x).output, lengths: lengths).output, lengths: lengths).output
    }

    /// The network's input: `x` itself, or the input layer's output `[T, N, E]`, which is also
    /// `projected` (empty without an input layer).
    private func inputLayer(_ x: Tensor<Scalar>) throws -> (output: Tensor<Scalar>, projected: [Scalar]) {
        guard x.rank == 3, x.shape[2] == inputSize, x.shape[0] >= 1, x.shape[1] >= 1 else {
            throw ModelError.inputShape(expected: "[T, N, \(inputSize)]", got: x.shape)
        }
        let (steps, batch) = (x.shape[0], x.shape[1])
        var projected: [Scalar] = []
        let networkInput: Tensor<Scalar>
        if inputLayer == .none {
            networkInput = x
        } else {
            let e = projectedSize
            projected = [Scalar](repeating: 0, count: steps * batch * e)
            let affine = Affine<Scalar>(inFeatures: inputSize, outFeatures: e)
            x.withUnsafeBufferPointer { xs in
                inputParameters.withUnsafeBufferPointer { p in
                    projected.withUnsafeMutableBufferPointer { y in
                        affine.forward(rows: steps * batch, x: xs.baseAddress!, weight: p.baseAddress!,
                                       bias: inputParameters.entries.count > 1 ? p.baseAddress! + e * inputSize : nil,
                                       y: y.baseAddress!)
                    }
                }
            }
            networkInput = Tensor(shape: [steps, batch, e], scalars: projected)
        }
        return (networkInput, projected)
    }

    /// The head on the network's output `[T, N, D*H]`: the model's output and the head's input
    /// (the last valid step of each sequence, or every step).
    private func head(_ networkOutput: Tensor<Scalar>, lengths: [Int]?) -> (output: Tensor<Scalar>, input: [Scalar]) {
        let (steps, batch) = (networkOutput.shape[0], networkOutput.shape[1])
        let f = features
        let headInput: [Scalar]
        if placement == .lastStep {
            var last = [Scalar](repeating: 0, count: batch * f)
            networkOutput.withUnsafeBufferPointer { o in
                last.withUnsafeMutableBufferPointer { l in
                    for b in 0..<batch {
                        let t = (lengths?[b] ?? steps) - 1
                        (l.baseAddress! + b * f).update(from: o.baseAddress! + (t * batch + b) * f, count: f)
                    }
                }
            }
            headInput = last
        } else {
            headInput = networkOutput.scalars
        }
        let rows = headInput.count / f
        var y = [Scalar](repeating: 0, count: rows * outputSize)
        let head = Affine<Scalar>(inFeatures: f, outFeatures: outputSize)
        headInput.withUnsafeBufferPointer { h in
            headParameters.withUnsafeBufferPointer { p in
                y.withUnsafeMutableBufferPointer { out in
                    head.forward(rows: rows, x: h.baseAddress!, weight: p.baseAddress!,
                                 bias: p.baseAddress! + outputSize * f, y: out.baseAddress!)
                }
            }
        }
        let shape = placement == .lastStep ? [batch, outputSize] : [steps, batch, outputSize]
        return (Tensor(shape: shape, scalars: y), headInput)
    }

    /// The gradient of every parameter, named as ``parameters``, from `dL/d output`, handing
    /// `dL/dh_t` of every step, layer and direction to `observer`.
    public func backward<Observer: BackwardObserver>(
        _ forward: Forward, outputGradient: Tensor<Scalar>, observer: inout Observer
    ) -> ParameterSet<Scalar> where Observer.Scalar == Scalar {
        precondition(outputGradient.shape == forward.output.shape, "output gradient of shape \(outputGradient.shape)")
        let (steps, batch, f) = (forward.input.shape[0], forward.input.shape[1], features)
        let rows = forward.headInput.count / f
        var headGradient = headParameters.zeros()
        var featureGradient = [Scalar](repeating: 0, count: rows * f)
        let head = Affine<Scalar>(inFeatures: f, outFeatures: outputSize)
        headParameters.withUnsafeBufferPointer { p in
            headGradient.withUnsafeMutableBufferPointer { g in
                forward.headInput.withUnsafeBufferPointer { h in
                    outputGradient.withUnsafeBufferPointer { dy in
                        featureGradient.withUnsafeMutableBufferPointer { dx in
                            head.backward(rows: rows, x: h.baseAddress!, weight: p.baseAddress!, dy: dy.baseAddress!,
                                          dWeight: g.baseAddress!, dBias: g.baseAddress! + outputSize * f,
                                          dx: dx.baseAddress!)
                        }
                    }
                }
            }
        }
        var networkOutputGradient: [Scalar]
        if placement == .lastStep {
            networkOutputGradient = [Scalar](repeating: 0, count: steps * batch * f)
            networkOutputGradient.withUnsafeMutableBufferPointer { o in
                featureGradient.withUnsafeBufferPointer { l in
                    for b in 0..<batch {
                        let t = (forward.lengths?[b] ?? steps) - 1
                        (o.baseAddress! + (t * batch + b) * f).update(from: l.baseAddress! + b * f, count: f)
                    }
                }
            }
        } else {
            networkOutputGradient = featureGradient
        }
        let gradients = network.backward(forward.network,
                                         outputGradient: Tensor(shape: [steps, batch, f], scalars: networkOutputGradient),
                                         observer: &observer)
        var inputGradient = inputParameters.zeros()
        if inputLayer != .none {
            let e = projectedSize
            let affine = Affine<Scalar>(inFeatures: inputSize, outFeatures: e)
            let hasBias = inputParameters.entries.count > 1
            inputParameters.withUnsafeBufferPointer { p in
                inputGradient.withUnsafeMutableBufferPointer { g in
                    forward.input.withUnsafeBufferPointer { x in
                        gradients.input.withUnsafeBufferPointer { dy in
                            affine.backward(rows: steps * batch, x: x.baseAddress!, weight: p.baseAddress!,
                                            dy: dy.baseAddress!, dWeight: g.baseAddress!,
                                            dBias: hasBias ? g.baseAddress! + e * inputSize : nil, dx: nil)
                        }
                    }
                }
            }
        }
        return Self.joined(input: inputGradient, network: gradients.parameters, head: headGradient)
    }
}
