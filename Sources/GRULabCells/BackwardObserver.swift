import GRULabTensor

/// The total derivative `dL/dh_t` of one layer and direction at one step of backward through
/// time: the running hidden-state gradient, the quantity a vanishing-gradient study plots.
///
/// It is the derivative with respect to the hidden state the step outputs (`output[t]`), and
/// includes that output's own loss term, the gradient from the layer above, and everything
/// flowing back from later steps (at the last step, also the gradient of `h_n`).
public struct HiddenStateGradient<Scalar: TensorScalar> {
    /// The layer, from 0 at the input.
    public let layer: Int
    /// 0 forward in time, 1 the reverse direction of a bidirectional layer.
    public let direction: Int
    /// `[N, H]`; valid only during the observer's call.
    public let gradient: UnsafeBufferPointer<Scalar>
    /// For each sequence of the batch, the time `t` of its row of ``gradient``, or -1 where the
    /// sequence is already over (its padding); valid only during the call. All rows share one
    /// `t` unless sequences have different lengths and the direction is the reverse one.
    public let times: UnsafeBufferPointer<Int>
    /// `H`.
    public let hiddenSize: Int
}

/// Receives ``HiddenStateGradient``s during backward through time, in backward order, at
/// O(N·H) cost per step.
public protocol BackwardObserver<Scalar> {
    associatedtype Scalar: TensorScalar
    mutating func observe(_ gradient: HiddenStateGradient<Scalar>)
}

/// An observer that ignores everything.
public struct NoBackwardObserver<Scalar: TensorScalar>: BackwardObserver {
    public init() {}
    public func observe(_ gradient: HiddenStateGradient<Scalar>) {}
}

/// Records `||dL/dh_t||`, the Frobenius norm over batch and hidden units, for every layer,
/// direction and time: `norms[layer * directions + direction][t]`.
public struct GradientNormRecorder<Scalar: TensorScalar>: BackwardObserver {
    private var squares: [[Double]]
    private let directions: Int

    /// A recorder for a network of `layers` layers of `directions` directions over `steps` steps.
    public init(layers: Int, directions: Int, steps: Int) {
        squares = Array(repeating: Array(repeating: 0, count: steps), count: layers * directions)
        self.directions = directions
    }

    public mutating func observe(_ g: HiddenStateGradient<Scalar>) {
        let h = g.hiddenSize, base = g.gradient.baseAddress!
        let slot = g.layer * directions + g.direction
        for (b, t) in g.times.enumerated() where t >= 0 {
            let row = base + b * h
            squares[slot][t] += Double(Scalar.dot(row, row, count: h))
        }
    }

    /// `[layers * directions][T]`.
    public var norms: [[Double]] { squares.map { $0.map { $0.squareRoot() } } }
}
