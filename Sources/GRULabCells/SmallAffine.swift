import _GRULabKernels
import GRULabTensor

/// Affine maps of few inputs without BLAS, through the C kernels `grulab_affine_rows` (for up to
/// ``maxInputs`` inputs): with 2 input features, BLAS spends more time packing a `[T·N, 2H]`
/// operand than multiplying, and a weight gradient of `[H, 2]` costs it a copy of all of it.
///
/// The weight is transposed, `wt` `[C, out]` at its own row stride, so that a row of outputs is
/// a row of vectors. Sums run in a fixed order: a row's result is the same whichever rows it is
/// computed with, so callers may split rows among threads freely.
enum SmallAffine<Scalar: TensorScalar> {
    /// `C` up to which the kernels apply.
    static var maxInputs: Int { Int(GRULAB_AFFINE_MAX_IN) }

    /// `y[r, :] = bias + x[r, :] wt` for `rows` rows: x `[rows, C]`, bias `[out]`, y `[rows, out]`.
    static func apply(rows: Int, inputs: Int, outputs: Int, x: UnsafePointer<Scalar>, xStride: Int,
                      weightT wt: UnsafePointer<Scalar>, weightStride: Int, bias: UnsafePointer<Scalar>,
                      y: UnsafeMutablePointer<Scalar>, yStride: Int) {
        precondition((1...maxInputs).contains(inputs), "SmallAffine takes 1...\(maxInputs) inputs")
        if Scalar.self == Float.self {
            grulab_affine_rows_f32(Int64(rows), Int64(inputs), Int64(outputs), cast(x), Int64(xStride), cast(wt),
                                   Int64(weightStride), cast(bias), cast(y), Int64(yStride))
        } else {
            grulab_affine_rows_f64(Int64(rows), Int64(inputs), Int64(outputs), cast(x), Int64(xStride), cast(wt),
                                   Int64(weightStride), cast(bias), cast(y), Int64(yStride))
        }
    }
}

/// `p` as a pointer to a C kernel's element type, which is `Scalar` (`float` for Float, else
/// `double`).
func cast<Scalar, Element>(_ p: UnsafePointer<Scalar>) -> UnsafePointer<Element> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Element.self)
}

func cast<Scalar, Element>(_ p: UnsafeMutablePointer<Scalar>) -> UnsafeMutablePointer<Element> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Element.self)
}
