import GRULabTensor

/// The convolutional GRU (Ballas et al. 2016): the gates are convolutions over feature maps,
/// so the state keeps its spatial layout. Gate order r, z, n; the reset gate multiplies the
/// state before the recurrent convolution, as in the parity fixture's convention.
///
/// ```
/// r  = σ(W_r ⊛ x + b_ir + U_r ⊛ h + b_hr)
/// z  = σ(W_z ⊛ x + b_iz + U_z ⊛ h + b_hz)
/// n  = φ(W_n ⊛ x + b_in + U_n ⊛ (r ⊙ h) + b_hn)
/// h' = (1 - z) ⊙ n + z ⊙ h
/// ```
///
/// `⊛` is a 2-D convolution with 'same' zero padding and stride 1. Parameters as
/// ``ConvolutionalGateWeights`` lays them out: `weight_ih` `[3H_c, C_in, k, k]`, `weight_hh`
/// `[3H_c, H_c, k, k]`, `bias_ih`, `bias_hh` `[3H_c]`. Inputs and state are flattened frames
/// (``FeatureMap``): `x_t` `[N, C_in·Y·X]`, `h` `[N, H_c·Y·X]`.
///
/// ### References
/// Ballas, Yao, Pal & Courville 2016, "Delving Deeper into Convolutional Networks for Learning
/// Video Representations".
public typealias ConvGRUCell<Scalar: TensorScalar> = ResetGatedGRUCell<ConvolutionalGateWeights<Scalar>, BlendsHiddenState>

/// The convolutional LSTM (Shi et al. 2015) without peepholes: ``LSTM``'s equations, gate
/// order i, f, g, o, with convolutions for products.
///
/// ```
/// i  = σ(W_i ⊛ x + b_ii + U_i ⊛ h + b_hi)      f = σ(W_f ⊛ x + b_if + U_f ⊛ h + b_hf)
/// g  = φ(W_g ⊛ x + b_ig + U_g ⊛ h + b_hg)      o = σ(W_o ⊛ x + b_io + U_o ⊛ h + b_ho)
/// c' = f ⊙ c + i ⊙ g                            h' = o ⊙ φ(c')
/// ```
///
/// Parameters `weight_ih` `[4H_c, C_in, k, k]`, `weight_hh` `[4H_c, H_c, k, k]`, `bias_ih`,
/// `bias_hh` `[4H_c]`.
///
/// ### References
/// Shi et al. 2015, "Convolutional LSTM Network: A Machine Learning Approach for
/// Precipitation Nowcasting".
public typealias ConvLSTMCell<Scalar: TensorScalar> = LSTM<ConvolutionalGateWeights<Scalar>>

/// The convolutional plain RNN, `h' = φ(W ⊛ x + b_ih + U ⊛ h + b_hh)`: the baseline against
/// which a convolutional gated cell's gradient flow is compared. Parameters `weight_ih`
/// `[H_c, C_in, k, k]`, `weight_hh` `[H_c, H_c, k, k]`, `bias_ih`, `bias_hh` `[H_c]`.
public typealias ConvRNNCell<Scalar: TensorScalar> = SimpleRNN<ConvolutionalGateWeights<Scalar>>
