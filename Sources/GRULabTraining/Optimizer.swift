import GRULabCells
import GRULabTensor

/// Updates parameters in place from their gradients, on the flat storage of a
/// ``ParameterSet``. Each optimizer keeps its state (momenta, averages) per element, created at
/// the first update, and follows PyTorch's update rule in the same order of operations. The
/// built-in optimizers are `Codable`, state included, so that a checkpoint can hold them.
public protocol Optimizer<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar
    /// One step with learning rate `learningRate`; `gradients` has the shapes of `parameters`.
    mutating func update(_ parameters: inout ParameterSet<Scalar>, gradients: ParameterSet<Scalar>,
                         learningRate: Double)
}

/// `buffer` zero-filled to `count` elements when its size differs (the first update).
func sized<Scalar: TensorScalar>(_ buffer: [Scalar], _ count: Int) -> [Scalar] {
    buffer.count == count ? buffer : Array(repeating: 0, count: count)
}
