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

    /// Float's sigmoid and tanh run in C (AVX2 where the CPU has it); libm in Double is the
    /// reference.
    @Test(arguments: [Activation.sigmoid, .tanh])
    func floatKernelsAgreeWithLibm(activation: Activation) {
        let inputs = (0...2000).map { Float(-30 + 0.03 * Double($0)) } + [-200, -88, 88, 200]
        var values = inputs
        values.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
        for (x, y) in zip(inputs, values) {
            let exact = activation(Double(x))
            #expect(abs(Double(y) - exact) <= 4e-7 * max(abs(exact), 1e-30) + 1e-38, "\(activation)(\(x)) = \(y), libm \(exact)")
        }
    }

    @Test(arguments: [Activation.sigmoid, .tanh])
    func floatKernelsKeepNaNAndSaturateAtInfinity(activation: Activation) {
        var values: [Float] = [.nan, -.infinity, .infinity, .nan, 0]
        values.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
        #expect(values[0].isNaN && values[3].isNaN)
        #expect(values[1] == (activation == .sigmoid ? 0 : -1))
        #expect(values[2] == 1)
    }

    /// A value's result does not depend on where it sits (eight at a time, or in the tail).
    @Test(arguments: [Activation.sigmoid, .tanh])
    func floatKernelsDoNotDependOnPosition(activation: Activation) {
        let inputs: [Float] = (0..<13).map { Float($0) * 0.37 - 2.1 }
        var whole = inputs
        whole.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
        for (i, x) in inputs.enumerated() {
            var single = [x]
            single.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: 1) }
            #expect(single[0] == whole[i], "\(activation)(\(x)) at index \(i)")
        }
    }
}
