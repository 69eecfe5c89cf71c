import GRULabCells
import GRULabTensor

/// Adam (Kingma & Ba 2015) with PyTorch's defaults and order of operations
/// (`torch.optim.Adam`, `lr=1e-3, betas=(0.9, 0.999), eps=1e-8`):
///
/// ```
/// g ← g + λ θ                       (weight decay λ, L2 as PyTorch's Adam; not AdamW)
/// m ← m + (1 - β1)(g - m)           v ← β2 v + (1 - β2) g²
/// θ ← θ - (lr / (1 - β1^t)) · m / (√v / √(1 - β2^t) + ε)        t = 1, 2, …
/// ```
public struct Adam<Scalar: TensorScalar>: Optimizer, Sendable, Codable, Equatable {
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double
    /// The number of updates done.
    public private(set) var step = 0
    private var first: [Scalar] = []
    private var second: [Scalar] = []

    public init(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public mutating func update(_ parameters: inout ParameterSet<Scalar>, gradients: ParameterSet<Scalar>,
                                learningRate: Double) {
        step += 1
        let correction1 = 1 - Double.pow(beta1, Double(step)), correction2 = 1 - Double.pow(beta2, Double(step))
        let stepSize = Scalar(learningRate / correction1), root2 = Scalar(correction2.squareRoot())
        let (b1, b2, eps, wd) = (Scalar(beta1), Scalar(beta2), Scalar(epsilon), Scalar(weightDecay))
        precondition(gradients.storage.count == parameters.storage.count, "gradients of another parameter set")
        var m = sized(first, parameters.storage.count), v = sized(second, parameters.storage.count)
        (first, second) = ([], [])
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<p.count {
                            var d = g[i]
                            if wd != 0 { d += wd * p[i] }
                            m[i] += (1 - b1) * (d - m[i])
                            v[i] = v[i] * b2 + (1 - b2) * d * d
                            p[i] -= stepSize * (m[i] / (v[i].squareRoot() / root2 + eps))
                        }
                    }
                }
            }
        }
        (first, second) = (m, v)
    }
}
