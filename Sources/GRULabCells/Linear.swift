import GRULabTensor

/// The affine maps every cell is made of, over row-major matrices with explicit row strides,
/// so that a cell can address one gate's block of a packed `[rows, G*H]` buffer.
///
/// A weight is stored either as PyTorch stores it, `[out, in]` (`outByIn`), or as d2l.ai does,
/// `[in, out]`.
struct Linear<Scalar: TensorScalar> {
    var weight: UnsafePointer<Scalar>
    var inFeatures: Int
    var outFeatures: Int
    /// The row stride of the stored weight.
    var weightStride: Int
    var outByIn: Bool

    init(weight: UnsafePointer<Scalar>, inFeatures: Int, outFeatures: Int,
         weightStride: Int? = nil, outByIn: Bool = true) {
        self.weight = weight
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.weightStride = weightStride ?? (outByIn ? inFeatures : outFeatures)
        self.outByIn = outByIn
    }

    /// The map onto outputs `first ..< first + count` of a `[out, in]` weight: its rows.
    func rows(_ first: Int, count: Int) -> Linear {
        precondition(outByIn, "row blocks of an [out, in] weight")
        return Linear(weight: weight + first * weightStride, inFeatures: inFeatures, outFeatures: count,
                      weightStride: weightStride)
    }

    /// `y = x W` (`y += x W` when `accumulate`): x `[rows, in]`, y `[rows, out]`.
    func apply(rows: Int, x: UnsafePointer<Scalar>, xStride: Int,
               y: UnsafeMutablePointer<Scalar>, yStride: Int, accumulate: Bool = false) {
        guard rows > 0 else { return }
        Scalar.gemm(transposeA: false, transposeB: outByIn, m: rows, n: outFeatures, k: inFeatures,
                    alpha: 1, a: x, lda: xStride, b: weight, ldb: weightStride,
                    beta: accumulate ? 1 : 0, c: y, ldc: yStride)
    }

    /// `y = x W + bias`, `bias` `[out]` on every row: the bias rows written first and the product
    /// accumulated onto them, one pass over `y` where a product with `beta = 0` (for which BLAS
    /// zeroes `y` first) and then a bias pass would be two.
    func apply(rows: Int, x: UnsafePointer<Scalar>, xStride: Int, bias: UnsafePointer<Scalar>,
               y: UnsafeMutablePointer<Scalar>, yStride: Int) {
        for r in 0..<rows { (y + r * yStride).update(from: bias, count: outFeatures) }
        apply(rows: rows, x: x, xStride: xStride, y: y, yStride: yStride, accumulate: true)
    }

    /// `dx = dy W^T` (`dx += …` when `accumulate`): dy `[rows, out]`, dx `[rows, in]`.
    func backwardInput(rows: Int, dy: UnsafePointer<Scalar>, dyStride: Int,
                       dx: UnsafeMutablePointer<Scalar>, dxStride: Int, accumulate: Bool) {
        guard rows > 0 else { return }
        Scalar.gemm(transposeA: false, transposeB: !outByIn, m: rows, n: inFeatures, k: outFeatures,
                    alpha: 1, a: dy, lda: dyStride, b: weight, ldb: weightStride,
                    beta: accumulate ? 1 : 0, c: dx, ldc: dxStride)
    }

    /// `dW += dy^T x` (or `x^T dy` for an `[in, out]` weight), into `dWeight` with the
    /// weight's own stride.
    func accumulateWeightGradient(rows: Int, x: UnsafePointer<Scalar>, xStride: Int,
                                  dy: UnsafePointer<Scalar>, dyStride: Int,
                                  dWeight: UnsafeMutablePointer<Scalar>) {
        guard rows > 0 else { return }
        if outByIn {
            Scalar.gemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
                        alpha: 1, a: dy, lda: dyStride, b: x, ldb: xStride,
                        beta: 1, c: dWeight, ldc: weightStride)
        } else {
            Scalar.gemm(transposeA: true, transposeB: false, m: inFeatures, n: outFeatures, k: rows,
                        alpha: 1, a: x, lda: xStride, b: dy, ldb: dyStride,
                        beta: 1, c: dWeight, ldc: weightStride)
        }
    }
}

/// `y[r, :] += bias` for every row.
func addBias<Scalar: TensorScalar>(_ bias: UnsafePointer<Scalar>, count: Int, rows: Int,
                                   to y: UnsafeMutablePointer<Scalar>, stride: Int) {
    for r in 0..<rows { Scalar.axpy(count: count, alpha: 1, x: bias, y: y + r * stride) }
}

/// `dBias += sum over rows of dy[r, :]`.
func accumulateBiasGradient<Scalar: TensorScalar>(rows: Int, dy: UnsafePointer<Scalar>, stride: Int,
                                                  count: Int, dBias: UnsafeMutablePointer<Scalar>) {
    for r in 0..<rows { Scalar.axpy(count: count, alpha: 1, x: dy + r * stride, y: dBias) }
}
