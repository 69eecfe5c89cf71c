/// A dense, row-major tensor of `Float` or `Double`.
///
/// The rightmost dimension is the fastest. Recurrent data uses one shape legend throughout
/// GRULab: `T` steps, `N` batch, `C` input features, `H` hidden units; a sequence is
/// `[T, N, C]` (time-major) unless a layer says `batchFirst`, where it is `[N, T, C]`.
///
/// A tensor is a value: copies share storage until one of them is written (copy on write).
public struct Tensor<Scalar: TensorScalar>: Equatable, Sendable {
    /// The extent of each dimension; empty for a scalar.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public private(set) var scalars: [Scalar]

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(
            shape.reduce(1, *) == scalars.count,
            "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    /// The same values in another precision (rounded to nearest when narrowing).
    public init<Other: TensorScalar>(_ other: Tensor<Other>) {
        self.init(shape: other.shape, scalars: other.scalars.map { Scalar($0) })
    }

    /// Calls `body` with the elements, row-major, for reading.
    public func withUnsafeBufferPointer<R>(
        _ body: (UnsafeBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the elements, row-major, for writing in place; the shape stays.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// The element at a full index, one coordinate per dimension.
    public subscript(_ index: Int...) -> Scalar {
        get { scalars[offset(index)] }
        set { scalars[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var flat = 0
        for (i, extent) in zip(index, shape) {
            precondition(i >= 0 && i < extent, "index \(index) out of shape \(shape)")
            flat = flat * extent + i
        }
        return flat
    }

    /// The sub-tensor at position `i` of the first dimension, e.g. step `t` of `[T, N, H]`.
    public subscript(slice i: Int) -> Tensor {
        precondition(rank >= 1 && i >= 0 && i < shape[0], "slice \(i) of shape \(shape)")
        let inner = Array(shape.dropFirst())
        let size = inner.reduce(1, *)
        return Tensor(shape: inner, scalars: Array(scalars[i * size..<(i + 1) * size]))
    }

    /// The sub-tensors of `ranges` along dimension `axis`, as `torch.split` gives them: for
    /// `[T, N, H]` and axis 1, each range of sequences, `[T, n_i, H]`.
    public func split(alongAxis axis: Int, _ ranges: [Range<Int>]) -> [Tensor] {
        precondition(axis >= 0 && axis < rank && ranges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= shape[axis] },
                     "ranges \(ranges) along axis \(axis) of shape \(shape)")
        let outer = shape[..<axis].reduce(1, *), extent = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        return ranges.map { range in
            var partShape = shape
            partShape[axis] = range.count
            var part = [Scalar]()
            part.reserveCapacity(outer * range.count * inner)
            for o in 0..<outer {
                part.append(contentsOf: scalars[(o * extent + range.lowerBound) * inner..<(o * extent + range.upperBound) * inner])
            }
            return Tensor(shape: partShape, scalars: part)
        }
    }

    /// `parts` joined along dimension `axis`, as `torch.cat` joins them; the inverse of
    /// ``split(alongAxis:_:)`` over consecutive ranges. Every part has the same shape but for `axis`.
    public init(concatenating parts: [Tensor], alongAxis axis: Int) {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.rank == parts[0].rank && axis < $0.rank }
                     && parts.allSatisfy { part in (0..<part.rank).allSatisfy { $0 == axis || part.shape[$0] == parts[0].shape[$0] } },
                     "concatenating shapes \(parts.map(\.shape)) along axis \(axis)")
        var shape = parts[0].shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var scalars = [Scalar]()
        scalars.reserveCapacity(shape.reduce(1, *))
        for o in 0..<outer {
            for part in parts {
                let block = part.shape[axis] * inner
                scalars.append(contentsOf: part.scalars[o * block..<(o + 1) * block])
            }
        }
        self.init(shape: shape, scalars: scalars)
    }

    /// The transpose of a matrix: `[a, b]` becomes `[b, a]`.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed() needs a matrix, got shape \(shape)")
        let (rows, cols) = (shape[0], shape[1])
        var out = [Scalar](repeating: 0, count: count)
        for r in 0..<rows {
            for c in 0..<cols { out[c * rows + r] = scalars[r * cols + c] }
        }
        return Tensor(shape: [cols, rows], scalars: out)
    }

    /// Swaps the first two dimensions: `[T, N, ...]` to `[N, T, ...]` and back.
    public func swappingFirstTwoDimensions() -> Tensor {
        precondition(rank >= 2, "needs two dimensions, got shape \(shape)")
        let (a, b) = (shape[0], shape[1])
        let inner = shape.dropFirst(2).reduce(1, *)
        var out = [Scalar](repeating: 0, count: count)
        for i in 0..<a {
            for j in 0..<b {
                let src = (i * b + j) * inner
                let dst = (j * a + i) * inner
                for k in 0..<inner { out[dst + k] = scalars[src + k] }
            }
        }
        var newShape = shape
        newShape.swapAt(0, 1)
        return Tensor(shape: newShape, scalars: out)
    }

    /// The matrix product of `[m, k]` and `[k, n]`, through BLAS.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank == 2 && other.rank == 2 && shape[1] == other.shape[0],
                     "matmul of \(shape) and \(other.shape)")
        let (m, k, n) = (shape[0], shape[1], other.shape[1])
        var out = [Scalar](repeating: 0, count: m * n)
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    Scalar.gemm(
                        transposeA: false, transposeB: false, m: m, n: n, k: k,
                        alpha: 1, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                        beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return Tensor(shape: [m, n], scalars: out)
    }

    /// The largest absolute difference to another tensor of the same shape.
    public func maxAbsoluteDifference(_ other: Tensor) -> Scalar {
        precondition(shape == other.shape, "comparing shapes \(shape) and \(other.shape)")
        return zip(scalars, other.scalars).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
    }

    /// The largest absolute element (0 for an empty tensor).
    public var maxAbsolute: Scalar { scalars.reduce(0) { Swift.max($0, abs($1)) } }

    /// The Frobenius norm: the square root of the sum of squares of all elements.
    public var norm: Scalar {
        scalars.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress, !p.isEmpty else { return 0 }
            return Scalar.sqrt(Scalar.dot(base, base, count: p.count))
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor<\(Scalar.precisionName)>\(shape)" }
}
