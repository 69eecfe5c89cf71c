import GRULabTensor
import Testing

/// Expects the largest difference, relative to the largest expected magnitude (at least 1), to
/// be within `tolerance`.
func expectClose<Scalar: TensorScalar>(_ actual: [Scalar], _ expected: [Double], _ tolerance: Double,
                                       _ name: String) {
    let scale = max(expected.map(abs).max() ?? 0, 1)
    let error = zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(error / scale <= tolerance, "\(name): error \(error) at scale \(scale)")
}
