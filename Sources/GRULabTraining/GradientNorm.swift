import GRULabCells
import GRULabTensor

extension ParameterSet {
    /// `||g_p||₂` of every parameter, in declaration order, through BLAS dot products.
    public var norms: [Double] {
        withUnsafeBufferPointer { s in
            entries.map { e in
                e.count == 0 ? 0 : Double(Scalar.dot(s.baseAddress! + e.offset, s.baseAddress! + e.offset, count: e.count)).squareRoot()
            }
        }
    }

    /// The global norm `√(Σ_p ||g_p||²)` over all parameters.
    public var globalNorm: Double {
        norms.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    /// Clips by global norm, as PyTorch's `clip_grad_norm_`: when the global norm `n` exceeds
    /// `maxNorm`, every value is scaled by `maxNorm / (n + 1e-6)`.
    ///
    /// - Returns: the global norm before clipping.
    @discardableResult
    public mutating func clipGlobalNorm(to maxNorm: Double) -> Double {
        let norm = globalNorm
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 {
            let scale = Scalar(coefficient)
            withUnsafeMutableBufferPointer { s in
                for i in s.indices { s[i] *= scale }
            }
        }
        return norm
    }
}
