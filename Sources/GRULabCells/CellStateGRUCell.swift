import GRULabTensor

/// A GRU with a separate memory cell: the update gate blends a cell `c`, and the output is
/// `h = φ(c)`. It is the GRU written with the cell state of an LSTM, which tutorials on GRU
/// variants compare against both.
///
/// ```
/// r  = σ([h, x] W_r)
/// z  = σ([h, x] W_z)
/// c~ = φ([r ⊙ h, x] W)
/// c' = z ⊙ c + (1 - z) ⊙ c~
/// h' = φ(c')
/// ```
///
/// The state is `(h, c)`; `c` starts at zero unless given. No biases. Parameters, stored
/// `[in, out]` with the rows of the concatenation `[h, x]` (h's rows first): `W_r` `[H + C, H]`,
/// `W_z` `[H + C, H]`, `W` `[H + C, H]`.
public typealias CellStateGRUCell<Scalar: TensorScalar> = ResetGatedGRUCell<SeparateGateWeights<Scalar, CellStateConvention>, BlendsCellState>

/// The parameters of ``CellStateGRUCell``: one `[H + C, H]` matrix per gate over `[h, x]`, no
/// biases.
public enum CellStateConvention: SeparateGateLayout {
    public static func parameterSpecs(inputSize c: Int, hiddenSize h: Int) -> [(name: String, shape: [Int], role: CellInitializer.Role)] {
        ["W_r", "W_z", "W"].map { ($0, [h + c, h], .recurrent) }
    }

    public static func gateLayout(hiddenSize h: Int) -> [(inputWeight: Int, inputRowOffset: Int, recurrentWeight: Int, bias: Int?)] {
        (0..<3).map { ($0, h, $0, nil) }
    }
}
