import GRULabCells
import GRULabTensor
import GRULabTestSupport
import Testing

@Suite struct MinGRUScanTests {
    func network<Scalar: TensorScalar>(_ recurrence: MinGRUCell<Scalar>.Recurrence) -> RecurrentNetwork<Scalar> {
        var g = SeededGenerator(seed: 12)
        return RecurrentNetwork(inputSize: 3, hiddenSize: 6, configuration: .init(numLayers: 2, bidirectional: true)) {
            AnyRecurrentCell(MinGRUCell<Scalar>(inputSize: $0, hiddenSize: 6, recurrence: recurrence, using: &g))
        }
    }

    /// Long enough for the scan to split time into chunks on every core.
    @Test func theParallelScanAgreesWithTheSequentialRecurrenceToRounding() throws {
        let sequential: RecurrentNetwork<Double> = network(.sequential)
        let parallel: RecurrentNetwork<Double> = network(.parallelScan)
        #expect(sequential.parameters == parallel.parameters)
        var g = SeededGenerator(seed: 13)
        let x = Tensor<Double>.random([200, 3, 3], using: &g)
        let h0 = RecurrentState<Double>(h: Tensor.random([4, 3, 6], using: &g))
        for lengths in [nil, [200, 57, 130]] {
            let a = try sequential.forward(x, initialState: h0, lengths: lengths, generator: &g)
            let b = try parallel.forward(x, initialState: h0, lengths: lengths, generator: &g)
            #expect(b.output.maxAbsoluteDifference(a.output) < 1e-13)
            #expect(b.finalState.h.maxAbsoluteDifference(a.finalState.h) < 1e-13)
            var none = NoBackwardObserver<Double>()
            let w = Tensor<Double>.random(a.output.shape, using: &g)
            let ga = sequential.backward(a, outputGradient: w, observer: &none)
            let gb = parallel.backward(b, outputGradient: w, observer: &none)
            #expect(zip(ga.parameters.storage, gb.parameters.storage).map { abs($0 - $1) }.max()! < 1e-11)
        }
    }

    @Test func theScanAgreesInFloatToo() throws {
        let sequential: RecurrentNetwork<Float> = network(.sequential)
        let parallel: RecurrentNetwork<Float> = network(.parallelScan)
        var g = SeededGenerator(seed: 14)
        let x = Tensor<Float>.random([300, 2, 3], using: &g)
        let a = try sequential.forward(x, generator: &g), b = try parallel.forward(x, generator: &g)
        #expect(b.output.maxAbsoluteDifference(a.output) < 1e-5)
    }
}
