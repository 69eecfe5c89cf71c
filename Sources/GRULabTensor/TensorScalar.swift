import CBLAS
@_exported import RealModule

/// The element types a ``Tensor`` holds: `Float` and `Double`.
///
/// A scalar knows its elementary functions (through swift-numerics' `Real`) and how to call the
/// BLAS matrix product of its precision (`cblas_sgemm` or `cblas_dgemm`).
public protocol TensorScalar: Real, BinaryFloatingPoint, BitwiseCopyable, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
    /// The name used in messages and benchmark tables: `float32` or `float64`.
    static var precisionName: String { get }

    /// `C = alpha * op(A) * op(B) + beta * C` on row-major matrices, through BLAS.
    ///
    /// `op(A)` is `[m, k]`, `op(B)` is `[k, n]`, `C` is `[m, n]`; `lda`, `ldb`, `ldc` are the
    /// row strides of the matrices as stored (before transposition).
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// The dot product of two vectors of `count` elements, through BLAS.
    static func dot(_ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>, count: Int) -> Self

    /// `y += alpha * x` over `count` elements, through BLAS.
    static func axpy(count: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)

    /// `y[i] *= x[i]` over `count` elements.
    static func multiply(count: Int, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)

    /// `y[i] = m[i] * x[i] + (1 - m[i]) * y[i]` over `count` elements: `y` moves to `x` by
    /// `m`, exactly to `x` where `m` is 1 and not at all where it is 0.
    static func interpolate(count: Int, toward x: UnsafePointer<Self>, by m: UnsafePointer<Self>,
                            y: UnsafeMutablePointer<Self>)

    /// Fills `count` elements with `mean + deviation * ξ`, `ξ` standard normal.
    static func fillNormal(_ y: UnsafeMutablePointer<Self>, count: Int, mean: Self, deviation: Self,
                           using generator: inout SeededGenerator)
}

// The elementwise kernels, written once and specialised by each conformance below: they are
// requirements, so that code generic over the scalar reaches the specialised loops.
extension TensorScalar {
    @inlinable
    static func multiplyElementwise(count: Int, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>) {
        for i in 0..<count { y[i] *= x[i] }
    }

    @inlinable
    static func interpolateElementwise(count: Int, toward x: UnsafePointer<Self>, by m: UnsafePointer<Self>,
                                       y: UnsafeMutablePointer<Self>) {
        for i in 0..<count { y[i] = m[i] * x[i] + (1 - m[i]) * y[i] }
    }

    @inlinable
    static func normalElementwise(_ y: UnsafeMutablePointer<Self>, count: Int, mean: Self, deviation: Self,
                                  using generator: inout SeededGenerator) {
        for i in 0..<count { y[i] = mean + deviation * generator.normal() }
    }
}

extension Float: TensorScalar {
    public static var precisionName: String { "float32" }

    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
    }

    @inlinable
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        cblas_sdot(blasint(count), x, 1, y, 1)
    }

    @inlinable
    public static func multiply(count: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        multiplyElementwise(count: count, x: x, y: y)
    }

    public static func interpolate(count: Int, toward x: UnsafePointer<Float>, by m: UnsafePointer<Float>,
                                   y: UnsafeMutablePointer<Float>) {
        interpolateElementwise(count: count, toward: x, by: m, y: y)
    }

    public static func fillNormal(_ y: UnsafeMutablePointer<Float>, count: Int, mean: Float, deviation: Float,
                                  using generator: inout SeededGenerator) {
        normalElementwise(y, count: count, mean: mean, deviation: deviation, using: &generator)
    }

    @inlinable
    public static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasint(count), alpha, x, 1, y, 1)
    }
}

extension Double: TensorScalar {
    public static var precisionName: String { "float64" }

    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
    }

    @inlinable
    public static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        cblas_ddot(blasint(count), x, 1, y, 1)
    }

    @inlinable
    public static func multiply(count: Int, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        multiplyElementwise(count: count, x: x, y: y)
    }

    public static func interpolate(count: Int, toward x: UnsafePointer<Double>, by m: UnsafePointer<Double>,
                                   y: UnsafeMutablePointer<Double>) {
        interpolateElementwise(count: count, toward: x, by: m, y: y)
    }

    public static func fillNormal(_ y: UnsafeMutablePointer<Double>, count: Int, mean: Double, deviation: Double,
                                  using generator: inout SeededGenerator) {
        normalElementwise(y, count: count, mean: mean, deviation: deviation, using: &generator)
    }

    @inlinable
    public static func axpy(count: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(blasint(count), alpha, x, 1, y, 1)
    }
}

/// Sets the number of threads BLAS uses for every later product (OpenBLAS' pool).
public func setBLASThreads(_ count: Int) {
    openblas_set_num_threads(Int32(count))
}

/// The number of threads BLAS uses: the threads a run gives its products, which kernels of
/// GRULab's own (the convolutions) take as theirs too.
public func blasThreads() -> Int {
    Int(openblas_get_num_threads())
}
