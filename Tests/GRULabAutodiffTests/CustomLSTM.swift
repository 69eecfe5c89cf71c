import _Differentiation
import GRULabAutodiff
import GRULabTensor

/// The built-in `lstm` written as a custom cell: checks the memory-cell path of the adapter.
struct CustomLSTM<Scalar: TensorScalar>: DifferentiableCellDefinition {
    var weight_ih, weight_hh, bias_ih, bias_hh: Tensor<Scalar>

    static var hasCell: Bool { true }

    static func parameters(inputSize c: Int, hiddenSize h: Int) -> [ParameterSpec<Self>] {
        [.init("weight_ih", \.weight_ih, shape: [4 * h, c], initialization: .role(.input)),
         .init("weight_hh", \.weight_hh, shape: [4 * h, h], initialization: .role(.recurrent)),
         .init("bias_ih", \.bias_ih, shape: [4 * h], initialization: .role(.bias)),
         .init("bias_hh", \.bias_hh, shape: [4 * h], initialization: .role(.bias))]
    }

    @differentiable(reverse)
    func step(_ x: Tensor<Scalar>, _ state: CellState<Scalar>) -> CellState<Scalar> {
        let n = withoutDerivative(at: weight_hh).shape[1]
        let a = x.productTransposed(weight_ih) + bias_ih + state.h.productTransposed(weight_hh) + bias_hh
        let i = sigmoid(a.columns(0..<n)), f = sigmoid(a.columns(n..<2 * n))
        let g = tanh(a.columns(2 * n..<3 * n)), o = sigmoid(a.columns(3 * n..<4 * n))
        let c = f * state.c + i * g
        return CellState(h: o * tanh(c), c: c)
    }
}
