import GRULabTensor
import Testing

@Suite struct ActivationTests {
    @Test(arguments: Activation.allCases)
    func derivativeFromOutputMatchesCentralDifferences(activation: Activation) {
        // points away from the kinks of relu (0) and hard-sigmoid (±3)
        for a in [-4.2, -2.5, -0.7, 0.3, 1.9, 2.6, 3.7] {
            let eps = 1e-6
            let numeric = (activation(a + eps) - activation(a - eps)) / (2 * eps)
            #expect(abs(activation.derivative(output: activation(a)) - numeric) < 1e-8, "\(activation) at \(a)")
        }
    }

    @Test func applyMatchesTheScalarFunction() {
        var values: [Float] = [-2, -0.5, 0, 0.5, 2]
        let expected = values.map { Activation.sigmoid($0) }
        values.withUnsafeMutableBufferPointer { Activation.sigmoid.apply($0.baseAddress!, count: $0.count) }
        #expect(values == expected)
    }
}
