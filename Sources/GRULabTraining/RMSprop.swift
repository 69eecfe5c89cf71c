import GRULabCells
import GRULabTensor

/// RMSprop as PyTorch's `torch.optim.RMSprop` (`alpha=0.99, eps=1e-8`, not centered):
///
/// ```
/// g ← g + λ θ                       (weight decay λ)
/// v ← α v + (1 - α) g²              a = √v + ε
/// θ ← θ - lr g / a                  (momentum μ = 0)
/// b ← μ b + g / a,  θ ← θ - lr b    (μ > 0)
/// ```
public struct RMSprop<Scalar: TensorScalar>: Optimizer, Sendable, Codable, Equatable {
    public var alpha: Double
    public var epsilon: Double
    public var momentum: Double
    public var weightDecay: Double
    private var squares: [Scalar] = []
    private var buffer: [Scalar] = []

    public init(alpha: Double = 0.99, epsilon: Double = 1e-8, momentum: Double = 0, weightDecay: Double = 0) {
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public mutating func update(_ parameters: inout ParameterSet<Scalar>, gradients: ParameterSet<Scalar>,
                                learningRate: Double) {
        let (a, eps, mu, wd, lr) = (Scalar(alpha), Scalar(epsilon), Scalar(momentum), Scalar(weightDecay), Scalar(learningRate))
        precondition(gradients.storage.count == parameters.storage.count, "gradients of another parameter set")
        var v = sized(squares, parameters.storage.count), b = sized(buffer, mu > 0 ? parameters.storage.count : 0)
        (squares, buffer) = ([], [])
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                v.withUnsafeMutableBufferPointer { v in
                    b.withUnsafeMutableBufferPointer { b in
                        for i in 0..<p.count {
                            var d = g[i]
                            if wd != 0 { d += wd * p[i] }
                            v[i] = v[i] * a + (1 - a) * d * d
                            let average = v[i].squareRoot() + eps
                            if mu > 0 {
                                b[i] = b[i] * mu + d / average
                                p[i] -= lr * b[i]
                            } else {
                                p[i] -= lr * (d / average)
                            }
                        }
                    }
                }
            }
        }
        (squares, buffer) = (v, b)
    }
}
