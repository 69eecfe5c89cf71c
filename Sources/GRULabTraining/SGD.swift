import GRULabCells
import GRULabTensor

/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD`:
///
/// ```
/// g ← g + λ θ                                   (weight decay λ)
/// b ← g at the first step, else μ b + (1 - τ) g  (momentum μ, dampening τ; skipped when μ = 0)
/// g ← g + μ b (Nesterov) or b
/// θ ← θ - lr g
/// ```
public struct SGD<Scalar: TensorScalar>: Optimizer, Sendable, Codable, Equatable {
    public var momentum: Double
    public var dampening: Double
    public var weightDecay: Double
    public var nesterov: Bool
    private var buffer: [Scalar] = []
    private var started = false

    public init(momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public mutating func update(_ parameters: inout ParameterSet<Scalar>, gradients: ParameterSet<Scalar>,
                                learningRate: Double) {
        let (mu, tau, wd, lr) = (Scalar(momentum), Scalar(dampening), Scalar(weightDecay), Scalar(learningRate))
        let (first, nesterov) = (!started, self.nesterov)
        precondition(gradients.storage.count == parameters.storage.count, "gradients of another parameter set")
        var b = sized(buffer, mu != 0 ? parameters.storage.count : 0)
        buffer = []
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                b.withUnsafeMutableBufferPointer { b in
                    for i in 0..<p.count {
                        var d = g[i]
                        if wd != 0 { d += wd * p[i] }
                        if mu != 0 {
                            b[i] = first ? d : mu * b[i] + (1 - tau) * d
                            d = nesterov ? d + mu * b[i] : b[i]
                        }
                        p[i] -= lr * d
                    }
                }
            }
        }
        buffer = b
        started = true
    }
}
