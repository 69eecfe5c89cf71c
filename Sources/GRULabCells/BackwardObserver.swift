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
    /// The index in the whole batch of row 0's sequence: a batch split into parts
    /// (``RecurrentNetwork/parts(batch:)``) hands each part's rows on their own.
    public let firstSequence: Int
    /// `H`.
    public let hiddenSize: Int
}

/// Receives ``HiddenStateGradient``s during backward through time, in backward order, at
/// O(N·H) cost per step.
///
/// When ``RecurrentNetwork`` has split the batch into parts, each part's backward runs on its
/// own: an observer that can be split (``observerForPart()``) gets one copy per part, which
/// watch their parts at once and are merged back in the order of the parts; any other watches
/// the parts one after the other, each in backward order.
public protocol BackwardObserver<Scalar>: SendableMetatype {
    associatedtype Scalar: TensorScalar
    mutating func observe(_ gradient: HiddenStateGradient<Scalar>)

    /// An empty observer like this one, to watch one part of a split batch; `nil` (the
    /// default) when this one must watch every part itself.
    func observerForPart() -> Self?

    /// Adds what `part`, from ``observerForPart()``, watched.
    mutating func merge(_ part: Self)
}

extension BackwardObserver {
    public func observerForPart() -> Self? { nil }
    public mutating func merge(_ part: Self) {}
}

/// An observer that ignores everything.
public struct NoBackwardObserver<Scalar: TensorScalar>: BackwardObserver, Sendable {
    public init() {}
    public func observe(_ gradient: HiddenStateGradient<Scalar>) {}
    public func observerForPart() -> Self? { self }
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

    public func observerForPart() -> Self? {
        var part = self
        part.squares = squares.map { Array(repeating: 0, count: $0.count) }
        return part
    }

    public mutating func merge(_ part: Self) {
        for slot in squares.indices {
            for t in squares[slot].indices { squares[slot][t] += part.squares[slot][t] }
        }
    }

    /// `[layers * directions][T]`.
    public var norms: [[Double]] { squares.map { $0.map { $0.squareRoot() } } }
}
