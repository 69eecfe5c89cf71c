import _Differentiation
import GRULabCells
import GRULabTensor

/// The built-in `gru` written as a custom cell, `custom-gru`: the same equations, parameter
/// names and shapes as `GRUCell` (PyTorch's convention), with gradients from
/// `_Differentiation` instead of the hand-written backward.
///
/// ```
/// r  = σ(W_ir x + b_ir + W_hr h + b_hr)
/// z  = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
/// h' = (1 - z) ⊙ n + z ⊙ h
/// ```
///
/// Parameters, gate order r, z, n along the first axis: `weight_ih` `[3H, C]`, `weight_hh`
/// `[3H, H]`, `bias_ih` `[3H]`, `bias_hh` `[3H]`.
///
/// It exists to measure and check the custom-cell path against a cell with a hand-written
/// kernel: its gradients equal `gru`'s (the tests), and its training step against `gru`'s is
/// the cost of writing a cell as a differentiable step (`scripts/bench`, `custom-gru-train`).
/// It also keeps a definition that lives in this module, next to the tensor derivatives, in
/// every optimised build: the one shape of code that exposed the miscompile described in
/// docs/custom-cells.md.
public struct DifferentiableGRU<Scalar: TensorScalar>: DifferentiableCellDefinition {
    public var weight_ih: Tensor<Scalar>
    public var weight_hh: Tensor<Scalar>
    public var bias_ih: Tensor<Scalar>
    public var bias_hh: Tensor<Scalar>

    public static func parameters(inputSize c: Int, hiddenSize h: Int) -> [ParameterSpec<Self>] {
        [.init("weight_ih", \.weight_ih, shape: [3 * h, c], initialization: .role(.input)),
         .init("weight_hh", \.weight_hh, shape: [3 * h, h], initialization: .role(.recurrent)),
         .init("bias_ih", \.bias_ih, shape: [3 * h], initialization: .role(.bias)),
         .init("bias_hh", \.bias_hh, shape: [3 * h], initialization: .role(.bias))]
    }

    @differentiable(reverse)
    public func step(_ x: Tensor<Scalar>, _ state: CellState<Scalar>) -> CellState<Scalar> {
        let h = state.h, n = withoutDerivative(at: weight_hh).shape[1]
        let gi = x.productTransposed(weight_ih) + bias_ih
        let gh = h.productTransposed(weight_hh) + bias_hh
        let r = sigmoid(gi.columns(0..<n) + gh.columns(0..<n))
        let z = sigmoid(gi.columns(n..<2 * n) + gh.columns(n..<2 * n))
        let candidate = tanh(gi.columns(2 * n..<3 * n) + r * gh.columns(2 * n..<3 * n))
        return CellState(h: (1 - z) * candidate + z * h)
    }
}

extension CellDescriptor {
    /// `custom-gru`: ``DifferentiableGRU`` in both precisions.
    public static let customGRU = CellDescriptor.differentiable(
        DifferentiableGRU<Float>.self, DifferentiableGRU<Double>.self, name: "custom-gru",
        summary: "gru's equations as a custom cell: gradients from _Differentiation, not a hand-written kernel",
        equations: """
            r  = σ(W_ir x + b_ir + W_hr h + b_hr)
            z  = σ(W_iz x + b_iz + W_hz h + b_hz)
            n  = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
            h' = (1 - z) ⊙ n + z ⊙ h
            """,
        reference: "torch.nn.GRU; GRULab's gru")
}
