import RealModule
import _GRULabKernels

/// An elementwise nonlinearity of a gated cell: the gates' squashing function or the
/// candidate's.
///
/// Every activation here has a derivative that is a function of its output `y = f(a)`, so a
/// cell saves only post-activation values for its backward pass:
///
/// ```
/// sigmoid       y = 1 / (1 + e^-a)                f'(a) = y (1 - y)
/// hard-sigmoid  y = clamp(a / 6 + 1/2, 0, 1)      f'(a) = 1/6 where 0 < y < 1, else 0
/// tanh          y = tanh(a)                       f'(a) = 1 - y^2
/// relu          y = max(a, 0)                     f'(a) = 1 where y > 0, else 0
/// ```
///
/// `hard-sigmoid` is PyTorch's `nn.Hardsigmoid` (Keras 3's `hard_sigmoid` is the same).
public enum Activation: String, CaseIterable, Sendable, Codable {
    case sigmoid
    case hardSigmoid = "hard-sigmoid"
    case tanh
    case relu

    /// `f(a)` for one value.
    @inlinable
    public func callAsFunction<Scalar: TensorScalar>(_ a: Scalar) -> Scalar {
        switch self {
        case .sigmoid: return 1 / (1 + Scalar.exp(-a))
        case .hardSigmoid: return Swift.min(Swift.max(a / 6 + Scalar(0.5), 0), 1)
        case .tanh: return Scalar.tanh(a)
        case .relu: return Swift.max(a, 0)
        }
    }

    /// `f'(a)` from the output `y = f(a)`.
    @inlinable
    public func derivative<Scalar: TensorScalar>(output y: Scalar) -> Scalar {
        withDerivative { $0(y) }
    }

    /// Calls `body` with `f'` as a function of the output, the switch over activations taken
    /// once, outside `body`: a backward loop written in `body` is compiled once per activation
    /// with the derivative inlined, and vectorises, which a switch at every element prevents.
    @inlinable @inline(__always)
    public func withDerivative<Scalar: TensorScalar, Result>(
        _ body: (_ derivative: (Scalar) -> Scalar) -> Result
    ) -> Result {
        switch self {
        case .sigmoid: body { y in y * (1 - y) }
        case .hardSigmoid: body { y in y > 0 && y < 1 ? 1 / 6 : 0 }
        case .tanh: body { y in 1 - y * y }
        case .relu: body { y in y > 0 ? 1 : 0 }
        }
    }

    /// Applies `f` in place to `count` values; for Float, sigmoid and tanh go through the C
    /// kernels `grulab_sigmoid_f32` and `grulab_tanh_f32` (eight values at a time with AVX2 and
    /// FMA, relative error of the exponential below 2e-7), which Swift cannot vectorise past
    /// SSE without a target flag; Double keeps libm, whose last-digit accuracy the float64
    /// parity checks rely on.
    @inlinable
    public func apply<Scalar: TensorScalar>(_ values: UnsafeMutablePointer<Scalar>, count: Int) {
        if Scalar.self == Float.self, self == .sigmoid || self == .tanh {
            let floats = UnsafeMutableRawPointer(values).assumingMemoryBound(to: Float.self)
            self == .sigmoid ? grulab_sigmoid_f32(floats, count) : grulab_tanh_f32(floats, count)
            return
        }
        switch self {
        case .sigmoid: for i in 0..<count { values[i] = 1 / (1 + Scalar.exp(-values[i])) }
        case .hardSigmoid:
            for i in 0..<count { values[i] = Swift.min(Swift.max(values[i] / 6 + Scalar(0.5), 0), 1) }
        case .tanh: for i in 0..<count { values[i] = Scalar.tanh(values[i]) }
        case .relu: for i in 0..<count { values[i] = Swift.max(values[i], 0) }
        }
    }
}
