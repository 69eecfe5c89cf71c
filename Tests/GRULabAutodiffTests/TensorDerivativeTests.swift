import _Differentiation
import GRULabAutodiff
import GRULabTensor
import GRULabTestSupport
import Testing

/// Every registered tensor derivative against central differences in Double, through a loss
/// `sum(w ⊙ f(a, b))` with random `w`, including broadcasting operands.
@Suite struct TensorDerivativeTests {
    typealias T = Tensor<Double>
    /// One checked expression. (An array of `@differentiable` closures would read better, but
    /// calling one through `valueWithPullback` crashes Swift 6.3.1's SILGen in a reabstraction
    /// thunk; a `switch` inside one differentiable function does not.)
    enum Case: CaseIterable {
        case biasBroadcast, columnBroadcast, middleBroadcast, hadamard, rowBroadcastQuotient, scalars, product,
             productTransposed, transpose, activations, columnsAndConcatenation, rows, reductions

        var shapes: ([Int], [Int]) {
            switch self {
            case .biasBroadcast: ([3, 4], [4])
            case .columnBroadcast: ([3, 4], [3, 1])
            case .middleBroadcast: ([2, 4, 3], [2, 1, 3])
            case .hadamard: ([3, 4], [3, 4])
            case .rowBroadcastQuotient: ([3, 4], [1, 4])
            case .scalars: ([2, 3], [1])
            case .product: ([3, 2], [2, 4])
            case .productTransposed: ([3, 2], [4, 2])
            case .transpose: ([3, 2], [1])
            case .activations: ([2, 5], [1])
            case .columnsAndConcatenation: ([2, 5], [2, 3])
            case .rows: ([3, 4], [1])
            case .reductions: ([3, 4], [1])
            }
        }
    }

    @differentiable(reverse, wrt: (a, b))
    static func f(_ c: Case, _ a: T, _ b: T) -> T {
        switch c {
        case .biasBroadcast: return a + b
        case .columnBroadcast: return a - b
        case .middleBroadcast: return a * b + b
        case .hadamard: return a * b
        case .rowBroadcastQuotient: return a / (b * b + 1)
        case .scalars: return (1 - a) * (-a) + (a + 2) * 3 + b
        case .product: return a.product(b)
        case .productTransposed: return a.productTransposed(b)
        case .transpose: return a.transposedMatrix() + b
        case .activations: return sigmoid(a) + tanh(a) + relu(a) + exp(a) + sqrt(a * a + 1) + b
        case .columnsAndConcatenation:
            return a.columns(1..<4).concatenatingColumns(b) * b.concatenatingColumns(a.columns(0..<3))
        case .rows: return a.rows(1..<3) + b
        case .reductions: return a.meanAlongLastAxis() * a + a.sum() + b
        }
    }

    @Test func registeredDerivativesMatchCentralDifferences() {
        var g = SeededGenerator(seed: 1)
        for c in Case.allCases {
            let a = T.random(c.shapes.0, using: &g), b = T.random(c.shapes.1, using: &g)
            let w = T.random(Self.f(c, a, b).shape, using: &g)
            func loss(_ a: T, _ b: T) -> Double { (Self.f(c, a, b) * w).sum().scalars[0] }
            let (_, pullback) = valueWithPullback(at: a, b) { a, b in (Self.f(c, a, b) * w).sum() }
            let (da, db) = pullback(T(shape: [], scalars: [1]))
            for (x, dx, isA) in [(a, da, true), (b, db, false)] {
                let analytic = dx.broadcast(to: x.shape)
                for i in 0..<x.count {
                    var plus = x, minus = x
                    plus.withUnsafeMutableBufferPointer { $0[i] += 1e-6 }
                    minus.withUnsafeMutableBufferPointer { $0[i] -= 1e-6 }
                    let numeric = isA ? (loss(plus, b) - loss(minus, b)) / 2e-6 : (loss(a, plus) - loss(a, minus)) / 2e-6
                    #expect(abs(analytic.scalars[i] - numeric) < 1e-7, "\(c), d\(isA ? "a" : "b")[\(i)]")
                }
            }
        }
    }

    /// The zero tangent is the rank-0 `0`, which broadcasts and unbroadcasts to any shape.
    @Test func zeroBroadcasts() {
        let x = T(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(x + .zero == x)
        #expect(T.zero.unbroadcast(to: [2, 3]) == .zero)
        #expect(x.unbroadcast(to: [3]) == T(shape: [3], scalars: [5, 7, 9]))
        #expect(x.unbroadcast(to: [2, 1]) == T(shape: [2, 1], scalars: [6, 15]))
        #expect(T.broadcastShape([2, 3], [4]) == nil)
        #expect(T.broadcastShape([5, 1, 3], [4, 1]) == [5, 4, 3])
    }

    /// Each layout the broadcasting loops tell apart: a bias (the whole tensor repeats), a row
    /// statistic (each element repeats), and a middle extent of 1 (neither).
    @Test func broadcastRepeatsAndUnbroadcastSums() {
        let bias = T(shape: [3], scalars: [1, 2, 3])
        #expect(bias.broadcast(to: [2, 3]) == T(shape: [2, 3], scalars: [1, 2, 3, 1, 2, 3]))
        let rowStatistic = T(shape: [2, 1], scalars: [1, 2])
        #expect(rowStatistic.broadcast(to: [2, 3]) == T(shape: [2, 3], scalars: [1, 1, 1, 2, 2, 2]))
        let middle = T(shape: [2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
        let repeated = middle.broadcast(to: [2, 2, 3])
        #expect(repeated == T(shape: [2, 2, 3], scalars: [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]))
        #expect(repeated.unbroadcast(to: [2, 1, 3]) == T(shape: [2, 1, 3], scalars: [2, 4, 6, 8, 10, 12]))
        #expect(T(shape: [], scalars: [7]).broadcast(to: [2]) == T(shape: [2], scalars: [7, 7]))
    }
}
