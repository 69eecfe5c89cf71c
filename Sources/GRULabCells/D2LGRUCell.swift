import GRULabTensor

/// The GRU of Cho et al. 2014 as d2l.ai writes it: the reset gate applies to the state before
/// the recurrent product.
///
/// ```
/// R  = σ(X W_xr + H W_hr + b_r)
/// Z  = σ(X W_xz + H W_hz + b_z)
/// H~ = φ(X W_xh + (R ⊙ H) W_hh + b_h)
/// H' = Z ⊙ H + (1 - Z) ⊙ H~
/// ```
///
/// Parameters, stored `[in, out]` as d2l.ai does, in this order: `W_xr` `[C, H]`, `W_hr`
/// `[H, H]`, `b_r` `[H]`, `W_xz` `[C, H]`, `W_hz` `[H, H]`, `b_z` `[H]`, `W_xh` `[C, H]`,
/// `W_hh` `[H, H]`, `b_h` `[H]`.
///
/// ### References
/// Cho et al. 2014, "Learning Phrase Representations using RNN Encoder–Decoder for Statistical
/// Machine Translation"; Zhang et al., "Dive into Deep Learning", section 10.2.
public typealias D2LGRUCell<Scalar: TensorScalar> = ResetGatedGRUCell<SeparateGateWeights<Scalar, D2LConvention>, BlendsHiddenState>

/// The parameters of ``D2LGRUCell``: d2l.ai's names, a weight and a bias per gate.
public enum D2LConvention: SeparateGateLayout {
    public static func parameterSpecs(inputSize c: Int, hiddenSize h: Int) -> [(name: String, shape: [Int], role: CellInitializer.Role)] {
        ["r", "z", "h"].flatMap { gate in
            [("W_x\(gate)", [c, h], .input), ("W_h\(gate)", [h, h], .recurrent), ("b_\(gate)", [h], .bias)]
        }
    }

    public static func gateLayout(hiddenSize: Int) -> [(inputWeight: Int, inputRowOffset: Int, recurrentWeight: Int, bias: Int?)] {
        (0..<3).map { (3 * $0, 0, 3 * $0 + 1, 3 * $0 + 2) }
    }
}
