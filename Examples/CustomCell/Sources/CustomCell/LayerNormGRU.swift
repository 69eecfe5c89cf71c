import _Differentiation
import GRULabAutodiff
import GRULabTensor

/// The layer-normalised GRU of haste (`haste.LayerNormGRU`, LMNT 2020): a GRU in the
/// 1406.1078v1 convention (reset after the recurrent product) with layer normalisation, gain
/// only, on the input and on the recurrent pre-activations.
///
/// ```
/// Wx = LN(x W;  γ_0) + b            LN(v; γ) = γ ⊙ (v - mean(v)) / sqrt(var(v) + 1e-5),
/// Rh = LN(h R;  γ_1) + b_R          mean and (biased) var over the 3H pre-activations
/// z  = σ(Wx_z + Rh_z)
/// r  = σ(Wx_r + Rh_r)
/// g  = tanh(Wx_g + r ⊙ Rh_g)
/// h' = z ⊙ h + (1 - z) ⊙ g
/// ```
///
/// Parameters, gate order z, r, g along the last axis, named as haste names them:
/// `kernel` `[C, 3H]`, `recurrent_kernel` `[H, 3H]`, `bias` `[3H]`, `recurrent_bias` `[3H]`,
/// `gamma` `[2, 3H]` (initialised to ones).
///
/// ### References
/// LMNT, haste: `frameworks/pytorch/layer_norm_gru.py` (`LayerNormGRUScript`);
/// Ba, Kiros & Hinton 2016, "Layer Normalization".
public struct LayerNormGRU<Scalar: TensorScalar>: DifferentiableCellDefinition {
    public var kernel: Tensor<Scalar>
    public var recurrent_kernel: Tensor<Scalar>
    public var bias: Tensor<Scalar>
    public var recurrent_bias: Tensor<Scalar>
    public var gamma: Tensor<Scalar>

    public static var equations: String {
        """
        Wx = LN(x W; γ_0) + b
        Rh = LN(h R; γ_1) + b_R
        z  = σ(Wx_z + Rh_z)
        r  = σ(Wx_r + Rh_r)
        g  = tanh(Wx_g + r ⊙ Rh_g)
        h' = z ⊙ h + (1 - z) ⊙ g
        """
    }

    public static func parameters(inputSize c: Int, hiddenSize h: Int) -> [ParameterSpec<Self>] {
        [
            .init("kernel", \.kernel, shape: [c, 3 * h], initialization: .role(.input)),
            .init("recurrent_kernel", \.recurrent_kernel, shape: [h, 3 * h], initialization: .role(.recurrent)),
            .init("bias", \.bias, shape: [3 * h], initialization: .role(.bias)),
            .init("recurrent_bias", \.recurrent_bias, shape: [3 * h], initialization: .role(.bias)),
            .init("gamma", \.gamma, shape: [2, 3 * h], initialization: .constant(1)),
        ]
    }

    /// Layer normalisation over the last axis with gain `gain` and no bias (haste's
    /// `F.layer_norm(v, (3H,), weight=gain)`).
    @differentiable(reverse)
    static func layerNorm(_ v: Tensor<Scalar>, gain: Tensor<Scalar>) -> Tensor<Scalar> {
        let centered = v - v.meanAlongLastAxis()
        let variance = (centered * centered).meanAlongLastAxis()
        return centered / sqrt(variance + Scalar(1e-5)) * gain
    }

    @differentiable(reverse)
    public func step(_ x: Tensor<Scalar>, _ state: CellState<Scalar>) -> CellState<Scalar> {
        let h = state.h, n = withoutDerivative(at: recurrent_kernel).shape[0]
        let wx = Self.layerNorm(x.product(kernel), gain: gamma.rows(0..<1)) + bias
        let rh = Self.layerNorm(h.product(recurrent_kernel), gain: gamma.rows(1..<2)) + recurrent_bias
        let z = sigmoid(wx.columns(0..<n) + rh.columns(0..<n))
        let r = sigmoid(wx.columns(n..<2 * n) + rh.columns(n..<2 * n))
        let g = tanh(wx.columns(2 * n..<3 * n) + r * rh.columns(2 * n..<3 * n))
        return CellState(h: z * h + (1 - z) * g)
    }
}
