import _Differentiation
import GRULabTensor

/// `Tensor` as a differentiable value: its tangent is a tensor of the same shape.
///
/// The zero tangent is the rank-0 tensor `0`, which broadcasts to any shape: the
/// differentiation transform creates zeros before it knows any shape, so every operation here
/// accepts a rank-0 operand wherever a tensor goes (see ``Tensor/broadcast(to:)``).
///
/// Binary elementwise operations broadcast as NumPy does, aligning shapes on the right: a bias
/// `[H]` adds to `[N, H]`, a row statistic `[N, 1]` to `[N, H]` (Tensor+Broadcasting.swift).
/// Their pullbacks sum the gradient back over the broadcast dimensions.
extension Tensor: AdditiveArithmetic {
    /// The rank-0 tensor `0`; it broadcasts to any shape.
    public static var zero: Tensor { Tensor(shape: [], scalars: [0]) }

    /// The elementwise sum, broadcasting.
    @differentiable(reverse)
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        elementwise(lhs, .add, rhs)
    }

    /// The elementwise difference, broadcasting.
    @differentiable(reverse)
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        elementwise(lhs, .subtract, rhs)
    }
}

extension Tensor: Differentiable {
    public typealias TangentVector = Tensor
    public mutating func move(by offset: Tensor) { self = self + offset }
}

// MARK: - Sum and difference

extension Tensor {
    @derivative(of: +)
    public static func _vjpAdd(lhs: Tensor, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)) {
        (lhs + rhs, { [a = lhs.shape, b = rhs.shape] v in (v.unbroadcast(to: a), v.unbroadcast(to: b)) })
    }

    @derivative(of: -)
    public static func _vjpSubtract(lhs: Tensor, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)) {
        (lhs - rhs, { [a = lhs.shape, b = rhs.shape] v in (v.unbroadcast(to: a), (-v).unbroadcast(to: b)) })
    }
}

// MARK: - Elementwise arithmetic

extension Tensor {
    /// The elementwise product (Hadamard, `⊙`), broadcasting.
    @differentiable(reverse)
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { elementwise(lhs, .multiply, rhs) }

    /// The elementwise quotient, broadcasting.
    @differentiable(reverse)
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { elementwise(lhs, .divide, rhs) }

    /// The negation.
    @differentiable(reverse)
    public static prefix func - (x: Tensor) -> Tensor { x.map(.negate) }

    /// `s - x` elementwise, as in `1 - z`.
    @differentiable(reverse, wrt: rhs)
    public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.map(.subtractedFrom(lhs)) }

    /// `x + s` elementwise.
    @differentiable(reverse, wrt: lhs)
    public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.map(.adding(rhs)) }

    /// `x * s` elementwise.
    @differentiable(reverse, wrt: lhs)
    public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.map(.multiplying(rhs)) }

    @derivative(of: *)
    public static func _vjpMultiply(lhs: Tensor, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)) {
        (lhs * rhs, { v in ((v * rhs).unbroadcast(to: lhs.shape), (v * lhs).unbroadcast(to: rhs.shape)) })
    }

    @derivative(of: /)
    public static func _vjpDivide(lhs: Tensor, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)) {
        let q = lhs / rhs
        return (q, { v in ((v / rhs).unbroadcast(to: lhs.shape), (-(v * q) / rhs).unbroadcast(to: rhs.shape)) })
    }

    @derivative(of: -)
    public static func _vjpNegate(x: Tensor) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        (-x, { -$0 })
    }

    @derivative(of: -, wrt: rhs)
    public static func _vjpScalarMinus(lhs: Scalar, rhs: Tensor) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        (lhs - rhs, { -$0 })
    }

    @derivative(of: +, wrt: lhs)
    public static func _vjpPlusScalar(lhs: Tensor, rhs: Scalar) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        (lhs + rhs, { $0 })
    }

    @derivative(of: *, wrt: lhs)
    public static func _vjpTimesScalar(lhs: Tensor, rhs: Scalar) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        (lhs * rhs, { $0 * rhs })
    }
}

// MARK: - Activations and elementary functions

/// The logistic function `1 / (1 + e^-x)`, elementwise.
@differentiable(reverse)
public func sigmoid<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.map(.sigmoid) }

/// `tanh(x)`, elementwise.
@differentiable(reverse)
public func tanh<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.map(.tanh) }

/// `max(x, 0)`, elementwise.
@differentiable(reverse)
public func relu<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.map(.relu) }

/// `√x`, elementwise.
@differentiable(reverse)
public func sqrt<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.map(.squareRoot) }

/// `e^x`, elementwise.
@differentiable(reverse)
public func exp<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.map(.exponential) }

@derivative(of: sigmoid)
public func _vjpSigmoid<Scalar: TensorScalar>(_ x: Tensor<Scalar>)
    -> (value: Tensor<Scalar>, pullback: (Tensor<Scalar>) -> Tensor<Scalar>) {
    let y = sigmoid(x)
    return (y, { v in v * y.map(.sigmoidSlope) })
}

@derivative(of: tanh)
public func _vjpTanh<Scalar: TensorScalar>(_ x: Tensor<Scalar>)
    -> (value: Tensor<Scalar>, pullback: (Tensor<Scalar>) -> Tensor<Scalar>) {
    let y = tanh(x)
    return (y, { v in v * y.map(.tanhSlope) })
}

@derivative(of: relu)
public func _vjpRelu<Scalar: TensorScalar>(_ x: Tensor<Scalar>)
    -> (value: Tensor<Scalar>, pullback: (Tensor<Scalar>) -> Tensor<Scalar>) {
    let y = relu(x)
    return (y, { v in v * y.map(.reluSlope) })
}

@derivative(of: sqrt)
public func _vjpSqrt<Scalar: TensorScalar>(_ x: Tensor<Scalar>)
    -> (value: Tensor<Scalar>, pullback: (Tensor<Scalar>) -> Tensor<Scalar>) {
    let y = sqrt(x)
    return (y, { v in v / (y * 2) })
}

@derivative(of: exp)
public func _vjpExp<Scalar: TensorScalar>(_ x: Tensor<Scalar>)
    -> (value: Tensor<Scalar>, pullback: (Tensor<Scalar>) -> Tensor<Scalar>) {
    let y = exp(x)
    return (y, { v in v * y })
}

// MARK: - Matrices, slices, reductions

extension Tensor {
    /// The matrix product `self · other` of `[m, k]` and `[k, n]` (BLAS); differentiable.
    @differentiable(reverse)
    public func product(_ other: Tensor) -> Tensor { Tensor.matrixProduct(self, other, transposingRight: false) }

    /// `self · otherᵀ` for `[m, k]` and `[n, k]`: a layer `x Wᵀ` with PyTorch's `[out, in]`
    /// weight, without materialising the transpose.
    @differentiable(reverse)
    public func productTransposed(_ other: Tensor) -> Tensor { Tensor.matrixProduct(self, other, transposingRight: true) }

    /// The transpose of a matrix; differentiable.
    @differentiable(reverse)
    public func transposedMatrix() -> Tensor { transposed() }

    // Derivatives of operations of two tensors are registered on static functions, which the
    // public methods call: with -O, Swift 6.3.1 can swap the two gradients of a derivative
    // registered on a method (docs/custom-cells.md, "Why no derivative is registered on a
    // method of two tensors").

    /// `a · b`, or `a · bᵀ` when `transposingRight`.
    @differentiable(reverse, wrt: (a, b))
    static func matrixProduct(_ a: Tensor, _ b: Tensor, transposingRight: Bool) -> Tensor {
        gemm(a, false, b, transposingRight)
    }

    @derivative(of: matrixProduct, wrt: (a, b))
    static func _vjpMatrixProduct(_ a: Tensor, _ b: Tensor, transposingRight: Bool)
        -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)) {
        (gemm(a, false, b, transposingRight), { v in
            guard v.rank != 0 else { return (.zero, .zero) }
            // y = a b: da = v bᵀ, db = aᵀ v.  y = a bᵀ: da = v b, db = vᵀ a.
            return transposingRight
                ? (gemm(v, false, b, false), gemm(v, true, a, false))
                : (gemm(v, false, b, true), gemm(a, true, v, false))
        })
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func gemm(_ a: Tensor, _ ta: Bool, _ b: Tensor, _ tb: Bool) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matrix product of \(a.shape) and \(b.shape)")
        let (m, k) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = tb ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(k == k2, "matrix product of \(a.shape)\(ta ? "ᵀ" : "") and \(b.shape)\(tb ? "ᵀ" : "")")
        var out = [Scalar](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { c in
                    Scalar.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1,
                                a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                                beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return Tensor(shape: [m, n], scalars: out)
    }

    @derivative(of: transposedMatrix)
    public func _vjpTransposedMatrix() -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        (transposed(), { v in v.rank == 0 ? v : v.transposed() })
    }

    /// Columns `range` of a matrix `[n, k]`: `[n, range.count]`, e.g. one gate of `[N, 3H]`.
    @differentiable(reverse)
    public func columns(_ range: Range<Int>) -> Tensor {
        precondition(rank == 2 && range.lowerBound >= 0 && range.upperBound <= shape[1],
                     "columns \(range) of shape \(shape)")
        return Tensor.copyingColumns(self, range)
    }

    @derivative(of: columns)
    public func _vjpColumns(_ range: Range<Int>) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        let shape = self.shape
        return (columns(range), { v in v.rank == 0 ? .zero : Tensor.placingColumns(v, range, in: shape) })
    }

    /// Columns `range` of the matrix `a`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func copyingColumns(_ a: Tensor, _ range: Range<Int>) -> Tensor {
        let (rows, cols, width) = (a.shape[0], a.shape[1], range.count)
        let out = [Scalar](unsafeUninitializedCapacity: rows * width) { q, initialized in
            a.withUnsafeBufferPointer { p in
                for r in 0..<rows {
                    (q.baseAddress! + r * width).initialize(from: p.baseAddress! + r * cols + range.lowerBound, count: width)
                }
            }
            initialized = rows * width
        }
        return Tensor(shape: [rows, width], scalars: out)
    }

    /// A matrix of `shape` holding `v` in columns `range` and zeros elsewhere.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func placingColumns(_ v: Tensor, _ range: Range<Int>, in shape: [Int]) -> Tensor {
        let (rows, cols, width) = (shape[0], shape[1], range.count)
        var out = [Scalar](repeating: 0, count: rows * cols)
        v.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { q in
                for r in 0..<rows {
                    (q.baseAddress! + r * cols + range.lowerBound).update(from: p.baseAddress! + r * width, count: width)
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Rows `range` of a tensor along its first dimension, e.g. `gamma.rows(0..<1)` of `[2, 3H]`
    /// gives `[1, 3H]`.
    @differentiable(reverse)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "rows \(range) of shape \(shape)")
        let inner = shape.dropFirst().reduce(1, *)
        return Tensor(shape: [range.count] + shape.dropFirst(),
                      scalars: Array(scalars[range.lowerBound * inner..<range.upperBound * inner]))
    }

    @derivative(of: rows)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func _vjpRows(_ range: Range<Int>) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        let shape = self.shape
        return (rows(range), { v in
            guard v.rank != 0 else { return .zero }
            let inner = shape.dropFirst().reduce(1, *)
            var out = [Scalar](repeating: 0, count: shape.reduce(1, *))
            out.replaceSubrange(range.lowerBound * inner..<range.upperBound * inner, with: v.scalars)
            return Tensor(shape: shape, scalars: out)
        })
    }

    /// `[a, b]` side by side: matrices `[n, k1]` and `[n, k2]` give `[n, k1 + k2]`.
    @differentiable(reverse)
    public func concatenatingColumns(_ other: Tensor) -> Tensor { Tensor.concatenatedColumns(self, other) }

    /// `[a, b]` side by side (the derivative lives here, not on the method: see `matrixProduct`).
    @differentiable(reverse)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func concatenatedColumns(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[0] == b.shape[0],
                     "concatenating columns of \(a.shape) and \(b.shape)")
        let (rows, k1, k2) = (a.shape[0], a.shape[1], b.shape[1])
        var out = [Scalar]()
        out.reserveCapacity(rows * (k1 + k2))
        for r in 0..<rows {
            out.append(contentsOf: a.scalars[r * k1..<(r + 1) * k1])
            out.append(contentsOf: b.scalars[r * k2..<(r + 1) * k2])
        }
        return Tensor(shape: [rows, k1 + k2], scalars: out)
    }

    @derivative(of: concatenatedColumns)
    static func _vjpConcatenatedColumns(_ a: Tensor, _ b: Tensor) -> (value: Tensor, pullback: (Tensor) -> (Tensor, Tensor)) {
        let k1 = a.shape[1], k2 = b.shape[1]
        return (concatenatedColumns(a, b), { v in
            v.rank == 0 ? (.zero, .zero) : (v.columns(0..<k1), v.columns(k1..<k1 + k2))
        })
    }

    /// The sum of all elements, a rank-0 tensor.
    @differentiable(reverse)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum() -> Tensor { Tensor(shape: [], scalars: [scalars.reduce(0, +)]) }

    @derivative(of: sum)
    public func _vjpSum() -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        let shape = self.shape
        return (sum(), { v in v.broadcast(to: shape) })
    }

    /// The mean along the last dimension, keeping it: `[n, k]` gives `[n, 1]`.
    @differentiable(reverse)
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func meanAlongLastAxis() -> Tensor {
        precondition(rank >= 1 && shape[rank - 1] > 0, "mean along the last axis of \(shape)")
        let k = shape[rank - 1], rows = count / k
        var out = [Scalar](repeating: 0, count: rows)
        for r in 0..<rows {
            var s: Scalar = 0
            for j in 0..<k { s += scalars[r * k + j] }
            out[r] = s / Scalar(k)
        }
        return Tensor(shape: Array(shape.dropLast()) + [1], scalars: out)
    }

    @derivative(of: meanAlongLastAxis)
    public func _vjpMeanAlongLastAxis() -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        let shape = self.shape, k = Scalar(shape[rank - 1])
        return (meanAlongLastAxis(), { v in (v * (1 / k)).broadcast(to: shape) })
    }
}
