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

    /// Long, with shorter sequences and a nonzero initial state; the second layer takes BLAS.
    @Test func theParallelRecurrenceGivesTheSequentialBits() throws {
        let sequential: RecurrentNetwork<Double> = network(.sequential)
        let parallel: RecurrentNetwork<Double> = network(.parallelScan)
        #expect(sequential.parameters == parallel.parameters)
        var g = SeededGenerator(seed: 13)
        let x = Tensor<Double>.random([200, 3, 3], using: &g)
        let h0 = RecurrentState<Double>(h: Tensor.random([4, 3, 6], using: &g))
        for lengths in [nil, [200, 57, 130]] {
            let a = try sequential.forward(x, initialState: h0, lengths: lengths, generator: &g)
            let b = try parallel.forward(x, initialState: h0, lengths: lengths, generator: &g)
            #expect(b.output == a.output)
            #expect(b.finalState.h == a.finalState.h)
            var none = NoBackwardObserver<Double>()
            let w = Tensor<Double>.random(a.output.shape, using: &g)
            let ga = sequential.backward(a, outputGradient: w, observer: &none)
            let gb = parallel.backward(b, outputGradient: w, observer: &none)
            #expect(ga.parameters == gb.parameters && ga.input == gb.input)
        }
    }

    @Test func theParallelRecurrenceGivesTheSequentialBitsInFloatToo() throws {
        let sequential: RecurrentNetwork<Float> = network(.sequential)
        let parallel: RecurrentNetwork<Float> = network(.parallelScan)
        var g = SeededGenerator(seed: 14)
        let x = Tensor<Float>.random([300, 2, 3], using: &g)
        let a = try sequential.forward(x, generator: &g), b = try parallel.forward(x, generator: &g)
        #expect(b.output == a.output)
    }

    /// A cell of 8 input features takes `SmallAffine`, one of 9 takes BLAS: with a ninth feature
    /// that is always zero they compute the same, both recurrences, from a nonzero h_0 and with
    /// shorter sequences.
    @Test(arguments: MinGRUCell<Double>.Recurrence.allCases)
    func theSmallInputPathAgreesWithBLAS(recurrence: MinGRUCell<Double>.Recurrence) throws {
        let (steps, batch, h) = (23, 5, 11)
        var g = SeededGenerator(seed: 15)
        func network(_ c: Int) -> RecurrentNetwork<Double> {
            RecurrentNetwork(inputSize: c, hiddenSize: h) {
                AnyRecurrentCell(MinGRUCell<Double>(inputSize: $0, hiddenSize: h, recurrence: recurrence, using: &g))
            }
        }
        /// `[rows, 9]` from `[rows, 8]` and a last column.
        func widened(_ m: [Double], rows: Int, last: (Int) -> Double) -> [Double] {
            (0..<rows).flatMap { r -> [Double] in Array(m[r * 8..<r * 8 + 8]) + [last(r)] }
        }
        /// The first 8 columns of `[rows, 9]`.
        func narrowed(_ m: [Double], rows: Int) -> [Double] {
            (0..<rows).flatMap { r -> [Double] in Array(m[r * 9..<r * 9 + 8]) }
        }
        let small = network(8)
        var wide = network(9)
        var parameters = wide.parameters
        for name in ["weight_z_l0", "weight_h_l0"] {
            let ninth = parameters[name]!.scalars
            parameters[name] = Tensor(shape: [h, 9], scalars: widened(small.parameters[name]!.scalars, rows: h) {
                ninth[$0 * 9 + 8]
            })
        }
        for name in ["bias_z_l0", "bias_h_l0"] { parameters[name] = small.parameters[name]! }
        wide.parameters = parameters
        let x = Tensor<Double>.random([steps, batch, 8], using: &g)
        let padded = Tensor(shape: [steps, batch, 9], scalars: widened(x.scalars, rows: steps * batch) { _ in 0 })
        let h0 = RecurrentState<Double>(h: Tensor.random([1, batch, h], using: &g))
        let lengths = [23, 4, 17, 23, 1]
        let a = try small.forward(x, initialState: h0, lengths: lengths, generator: &g)
        let b = try wide.forward(padded, initialState: h0, lengths: lengths, generator: &g)
        #expect(b.output.maxAbsoluteDifference(a.output) < 1e-14)
        var none = NoBackwardObserver<Double>()
        let w = Tensor<Double>.random(a.output.shape, using: &g)
        let ga = small.backward(a, outputGradient: w, observer: &none)
        let gb = wide.backward(b, outputGradient: w, observer: &none)
        func expectClose(_ p: [Double], _ q: [Double], _ tolerance: Double, _ name: String) {
            #expect(zip(p, q).map { abs($0 - $1) }.max()! < tolerance, "\(name)")
        }
        for name in ["weight_z_l0", "weight_h_l0"] {
            expectClose(narrowed(gb.parameters[name]!.scalars, rows: h), ga.parameters[name]!.scalars, 1e-12, name)
        }
        for name in ["bias_z_l0", "bias_h_l0"] {
            expectClose(gb.parameters[name]!.scalars, ga.parameters[name]!.scalars, 1e-12, name)
        }
        expectClose(narrowed(gb.input.scalars, rows: steps * batch), ga.input.scalars, 1e-13, "input")
        expectClose(gb.initialState.h.scalars, ga.initialState.h.scalars, 1e-13, "h0")
    }

    /// Threads take shares of the batch, and each sequence's arithmetic is the same in any
    /// share: one thread and two give the same bits.
    @Test func theThreadCountDoesNotChangeTheResult() throws {
        let network: RecurrentNetwork<Float> = network(.parallelScan)
        let threads = blasThreads()
        defer { setBLASThreads(threads) }
        func run(_ count: Int) throws -> (Tensor<Float>, ParameterSet<Float>, Tensor<Float>) {
            setBLASThreads(count)
            var g = SeededGenerator(seed: 16)
            let x = Tensor<Float>.random([40, 5, 3], using: &g)
            let forward = try network.forward(x, generator: &g)
            var none = NoBackwardObserver<Float>()
            let gradients = network.backward(forward, outputGradient: .random(forward.output.shape, using: &g),
                                             observer: &none)
            return (forward.output, gradients.parameters, gradients.input)
        }
        let (one, two) = (try run(1), try run(2))
        #expect(one.0 == two.0 && one.1 == two.1 && one.2 == two.2)
    }
}
