import GRULabTasks
import GRULabTensor

/// A loss value, its gradient with respect to the model output, and the accuracy where
/// defined.
public struct LossValue<Scalar: TensorScalar>: Sendable {
    /// The loss, averaged as the function's documentation says.
    public let loss: Double
    /// `dL/d output`, shaped as the output.
    public let gradient: Tensor<Scalar>
    /// The fraction of counted rows whose arg-max is the target (classification only).
    public let accuracy: Double?
}

/// The losses of GRULab's tasks. A row is one predicted step of one sequence: `N` rows for a
/// last-step loss, `T*N` for an every-step loss; `mask` weights each row (`nil`: every row 1).
public enum Loss {
    /// The mean squared error, PyTorch's `MSELoss(reduction="mean")` over the counted rows:
    ///
    /// ```
    /// L = Σ_r m_r Σ_k (y_rk - t_rk)² / (O Σ_r m_r)        y, t [rows, O]
    /// ```
    public static func meanSquaredError<Scalar: TensorScalar>(_ output: Tensor<Scalar>, target: [Double],
                                                              mask: [Double]? = nil) -> LossValue<Scalar> {
        let o = output.shape.last!, rows = output.count / o
        precondition(target.count == output.count && (mask?.count ?? rows) == rows, "targets of another shape")
        let total = (mask?.reduce(0, +) ?? Double(rows)) * Double(o)
        var loss = 0.0
        var gradient = [Scalar](repeating: 0, count: output.count)
        guard total > 0 else { return LossValue(loss: 0, gradient: Tensor(shape: output.shape, scalars: gradient), accuracy: nil) }
        output.withUnsafeBufferPointer { y in
            for r in 0..<rows {
                let m = mask?[r] ?? 1
                guard m != 0 else { continue }
                for k in 0..<o {
                    let d = Double(y[r * o + k]) - target[r * o + k]
                    loss += m * d * d
                    gradient[r * o + k] = Scalar(2 * m * d / total)
                }
            }
        }
        return LossValue(loss: loss / total, gradient: Tensor(shape: output.shape, scalars: gradient), accuracy: nil)
    }

    /// The cross-entropy over classes, PyTorch's `CrossEntropyLoss` with weights per row:
    ///
    /// ```
    /// L = Σ_r m_r (logsumexp(z_r) - z_r[t_r]) / Σ_r m_r     z [rows, K], t [rows]
    /// dL/dz_r = m_r (softmax(z_r) - onehot(t_r)) / Σ_r m_r
    /// ```
    ///
    /// The log-softmax subtracts each row's maximum first, so no logit overflows. Accuracy is
    /// `Σ_r m_r [argmax z_r = t_r] / Σ_r m_r`.
    public static func crossEntropy<Scalar: TensorScalar>(_ logits: Tensor<Scalar>, target: [Int],
                                                          mask: [Double]? = nil) -> LossValue<Scalar> {
        let k = logits.shape.last!, rows = logits.count / k
        precondition(target.count == rows && (mask?.count ?? rows) == rows, "targets of another shape")
        let total = mask?.reduce(0, +) ?? Double(rows)
        var loss = 0.0, correct = 0.0
        var gradient = [Scalar](repeating: 0, count: logits.count)
        guard total > 0 else { return LossValue(loss: 0, gradient: Tensor(shape: logits.shape, scalars: gradient), accuracy: nil) }
        var row = [Double](repeating: 0, count: k)
        logits.withUnsafeBufferPointer { z in
            for r in 0..<rows {
                let m = mask?[r] ?? 1
                guard m != 0 else { continue }
                var largest = -Double.infinity, best = 0
                for c in 0..<k {
                    row[c] = Double(z[r * k + c])
                    if row[c] > largest { (largest, best) = (row[c], c) }
                }
                var sum = 0.0
                for c in 0..<k { sum += Double.exp(row[c] - largest) }
                let logSum = largest + Double.log(sum)
                loss += m * (logSum - row[target[r]])
                if best == target[r] { correct += m }
                for c in 0..<k {
                    let p = Double.exp(row[c] - logSum)
                    gradient[r * k + c] = Scalar(m * (p - (c == target[r] ? 1 : 0)) / total)
                }
            }
        }
        return LossValue(loss: loss / total, gradient: Tensor(shape: logits.shape, scalars: gradient),
                         accuracy: correct / total)
    }

    /// The task's loss of a model output on `batch`: the MSE for regression, the cross-entropy
    /// for classification; every-step losses use the batch's mask (every valid step without one).
    public static func task<Scalar: TensorScalar>(_ output: Tensor<Scalar>, batch: TaskBatch,
                                                  placement: LossPlacement) -> LossValue<Scalar> {
        var mask: [Double]? = nil
        if placement == .everyStep {
            if let m = batch.mask {
                mask = m
            } else if let lengths = batch.lengths {
                let n = batch.size
                mask = (0..<batch.steps * n).map { $0 / n < lengths[$0 % n] ? 1 : 0 }
            }
        }
        switch batch.target {
        case let .values(t): return meanSquaredError(output, target: t, mask: mask)
        case let .classes(t): return crossEntropy(output, target: t, mask: mask)
        }
    }
}
