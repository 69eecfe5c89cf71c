import GRULabTensor

/// NumPy's broadcasting, aligning shapes on the right: a bias `[H]` onto `[N, H]`, a row
/// statistic `[N, 1]` onto `[N, H]`, the rank-0 zero tangent onto anything.
extension Tensor {
    /// The shape both `a` and `b` broadcast to, aligning dimensions on the right; `nil` when
    /// an extent differs and neither is 1.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else { return nil }
            out[i] = x == 1 ? y : x
        }
        return out
    }

    /// These values repeated along broadcast dimensions to `shape`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func broadcast(to shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        precondition(Tensor.broadcastShape(self.shape, shape) == shape, "cannot broadcast \(self.shape) to \(shape)")
        let total = shape.reduce(1, *)
        if total == 0 { return Tensor(shape: shape, scalars: []) }
        let out = [Scalar](unsafeUninitializedCapacity: total) { q, initialized in
            withUnsafeBufferPointer { p in
                switch BroadcastPattern(from: self.shape, to: shape) {
                case .tiled(let period):
                    for start in stride(from: 0, to: total, by: period) {
                        (q.baseAddress! + start).initialize(from: p.baseAddress!, count: period)
                    }
                case .stretched(let run):
                    for j in 0..<p.count { (q.baseAddress! + j * run).initialize(repeating: p[j], count: run) }
                case .general(let offsets):
                    for (e, o) in offsets.enumerated() { q[e] = p[o] }
                }
            }
            initialized = total
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// The sum over the dimensions along which a tensor of `shape` was broadcast to this one's:
    /// the pullback of ``broadcast(to:)``. A rank-0 tensor (the zero tangent) stays as it is.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func unbroadcast(to shape: [Int]) -> Tensor {
        if self.shape == shape || rank == 0 { return self }
        var out = [Scalar](repeating: 0, count: shape.reduce(1, *))
        if count == 0 { return Tensor(shape: shape, scalars: out) }
        withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { q in
                switch BroadcastPattern(from: shape, to: self.shape) {
                case .tiled(let period):
                    for start in stride(from: 0, to: p.count, by: period) {
                        for j in 0..<period { q[j] += p[start + j] }
                    }
                case .stretched(let run):
                    for j in 0..<q.count {
                        var s: Scalar = 0
                        for e in j * run..<(j + 1) * run { s += p[e] }
                        q[j] = s
                    }
                case .general(let offsets):
                    for (e, o) in offsets.enumerated() { q[o] += p[e] }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }
}

/// Where the element of a tensor of `inner` that broadcasts onto element `e` of a tensor of
/// `outer` lies, in the two layouts that cover biases and row statistics with a loop of
/// copies, and as a table otherwise.
enum BroadcastPattern {
    /// `inner` is `outer` with leading extents 1: the whole tensor repeats, element
    /// `e % period` (a bias `[H]` onto `[N, H]`; the rank-0 zero, with `period` 1).
    case tiled(period: Int)
    /// `inner` is `outer` with trailing extents 1: each element repeats `run` times, element
    /// `e / run` (a row statistic `[N, 1]` onto `[N, H]`).
    case stretched(run: Int)
    /// Any other broadcast: the offset for every element of `outer`.
    case general(offsets: [Int])

    init(from inner: [Int], to outer: [Int]) {
        let rank = outer.count
        let padded = [Int](repeating: 1, count: rank - inner.count) + inner
        let first = padded.firstIndex { $0 != 1 } ?? rank
        if padded[first...] == outer[first...] {
            self = .tiled(period: padded[first...].reduce(1, *))
            return
        }
        let last = padded.lastIndex { $0 != 1 }!  // exists: shapes of ones are tiled
        if padded[...last] == outer[...last] {
            self = .stretched(run: outer[(last + 1)...].reduce(1, *))
            return
        }
        self = .general(offsets: Self.offsets(padded: padded, outer: outer))
    }

    private static func offsets(padded: [Int], outer: [Int]) -> [Int] {
        let rank = outer.count
        var strides = [Int](repeating: 0, count: rank)
        var stride = 1
        for i in (0..<rank).reversed() {
            strides[i] = padded[i] == 1 ? 0 : stride
            stride *= padded[i]
        }
        let count = outer.reduce(1, *)
        var offsets = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        for e in 0..<count {
            offsets[e] = offset
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                offset += strides[d]
                if index[d] < outer[d] { break }
                offset -= strides[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
        return offsets
    }
}
