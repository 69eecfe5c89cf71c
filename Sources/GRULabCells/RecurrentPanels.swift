import GRULabTensor
import _GRULabKernels

/// The recurrent weights of one pass, packed for `grulab_packed_product_f32` the first time a
/// product asks for them and kept to the end of the pass.
///
/// A pass's recurrent products all use one weight, and BLAS packs it again at every call: at
/// `(I,H,N,T) = (64,256,32,256)` that packing was 15 % of an lstm training step. Packed once,
/// the product of half a batch runs at 90–96 GFLOP/s on one core where BLAS reaches 52–75
/// (`[16, 256] × [256, 1024]`, `[32, 128] × [128, 384]`). Float only: a Double pass has no
/// panels and its products go through BLAS.
public final class RecurrentPanels<Scalar: TensorScalar>: @unchecked Sendable {
    /// One packed weight: `outputs x inner`, in panels of 16 outputs.
    final class Packed {
        let outputs: Int, inner: Int
        let panels: UnsafeMutablePointer<Float>

        /// `y = x W^T` of a `[out, in]` weight, or `dx = dy W` when `transposed`.
        init(_ linear: Linear<Float>, transposed: Bool) {
            precondition(linear.outByIn, "panels of an [out, in] weight")
            (outputs, inner) = transposed ? (linear.inFeatures, linear.outFeatures) : (linear.outFeatures, linear.inFeatures)
            panels = .allocate(capacity: grulab_packed_size_f32(Int32(outputs), Int32(inner)))
            let stride = linear.weightStride
            grulab_pack_panels_f32(linear.weight, Int32(outputs), Int32(inner), transposed ? 1 : stride,
                                   transposed ? stride : 1, panels)
        }

        deinit { panels.deallocate() }

        /// `y = x W (+ bias)` over `rows` rows (`y +=` when `accumulate`).
        func apply(rows: Int, x: UnsafePointer<Scalar>, xStride: Int, y: UnsafeMutablePointer<Scalar>, yStride: Int,
                   bias: UnsafePointer<Scalar>?, accumulate: Bool) {
            guard rows > 0 else { return }
            if let bias, !accumulate {
                for r in 0..<rows { (y + r * yStride).update(from: bias, count: outputs) }
            }
            grulab_packed_product_f32(Int32(rows), Int32(outputs), Int32(inner),
                                      UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), xStride, panels,
                                      UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), yStride,
                                      accumulate || bias != nil ? 1 : 0)
            if let bias, accumulate { addBias(bias, count: outputs, rows: rows, to: y, stride: yStride) }
        }
    }

    private var packed: [Key: Packed] = [:]

    private struct Key: Hashable {
        let gates: Range<Int>
        let transposed: Bool
    }

    init() {}

    /// The panels of `linear`, gate blocks `gates` of the pass's recurrent weight, for
    /// `y = h W^T` or, `transposed`, for `dh = dy W`; `nil` for a Double pass.
    func panels(_ linear: Linear<Scalar>, gates: Range<Int>, transposed: Bool) -> Packed? {
        guard Scalar.self == Float.self else { return nil }
        let key = Key(gates: gates, transposed: transposed)
        if let panels = packed[key] { return panels }
        let float = Linear<Float>(weight: UnsafeRawPointer(linear.weight).assumingMemoryBound(to: Float.self),
                                  inFeatures: linear.inFeatures, outFeatures: linear.outFeatures,
                                  weightStride: linear.weightStride, outByIn: linear.outByIn)
        let panels = Packed(float, transposed: transposed)
        packed[key] = panels
        return panels
    }
}
