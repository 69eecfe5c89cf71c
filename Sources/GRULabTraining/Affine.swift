import GRULabTensor

/// The affine map of the input projection and the head, over BLAS:
///
/// ```
/// y = x Wᵀ + b          x [rows, in], W [out, in] (PyTorch's nn.Linear layout), b [out], y [rows, out]
/// dW += dyᵀ x,  db += Σ_rows dy,  dx = dy W
/// ```
///
/// The bias enters as a rank-1 product with a column of ones, so no loop runs per element.
struct Affine<Scalar: TensorScalar> {
    let inFeatures: Int
    let outFeatures: Int

    /// `y = x Wᵀ + b` (no bias when `bias` is nil).
    func forward(rows: Int, x: UnsafePointer<Scalar>, weight: UnsafePointer<Scalar>, bias: UnsafePointer<Scalar>?,
                 y: UnsafeMutablePointer<Scalar>) {
        guard rows > 0 else { return }
        Scalar.gemm(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
                    alpha: 1, a: x, lda: inFeatures, b: weight, ldb: inFeatures, beta: 0, c: y, ldc: outFeatures)
        if let bias {
            let ones = [Scalar](repeating: 1, count: rows)
            ones.withUnsafeBufferPointer { o in
                Scalar.gemm(transposeA: false, transposeB: false, m: rows, n: outFeatures, k: 1,
                            alpha: 1, a: o.baseAddress!, lda: 1, b: bias, ldb: outFeatures, beta: 1, c: y, ldc: outFeatures)
            }
        }
    }

    /// Accumulates `dW` and `db`, and writes `dx` when asked.
    func backward(rows: Int, x: UnsafePointer<Scalar>, weight: UnsafePointer<Scalar>, dy: UnsafePointer<Scalar>,
                  dWeight: UnsafeMutablePointer<Scalar>, dBias: UnsafeMutablePointer<Scalar>?,
                  dx: UnsafeMutablePointer<Scalar>?) {
        guard rows > 0 else { return }
        Scalar.gemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows,
                    alpha: 1, a: dy, lda: outFeatures, b: x, ldb: inFeatures, beta: 1, c: dWeight, ldc: inFeatures)
        if let dBias {
            let ones = [Scalar](repeating: 1, count: rows)
            ones.withUnsafeBufferPointer { o in
                Scalar.gemm(transposeA: false, transposeB: false, m: 1, n: outFeatures, k: rows,
                            alpha: 1, a: o.baseAddress!, lda: rows, b: dy, ldb: outFeatures, beta: 1, c: dBias, ldc: outFeatures)
            }
        }
        if let dx {
            Scalar.gemm(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures,
                        alpha: 1, a: dy, lda: outFeatures, b: weight, ldb: inFeatures, beta: 0, c: dx, ldc: inFeatures)
        }
    }
}
