import GRULabTensor

/// What distinguishes one reset-gated GRU (``ResetGatedGRUCell``) from another: its
/// parameters, where each gate's weights lie among them, and whether the update gate blends a
/// memory cell. A new variant is a new conforming type.
public protocol ResetGatedConvention: Sendable {
    /// Whether the update gate blends a memory cell `c`, the output being `h = φ(c)`, rather
    /// than `h` itself.
    static var blendsCell: Bool { get }
    /// The parameters in ``ParameterSet`` order, weights stored `[in, out]`.
    static func parameterSpecs(inputSize: Int, hiddenSize: Int) -> [(name: String, shape: [Int], role: CellInitializer.Role)]
    /// For the gates r, z and the candidate, in that order: the position of the input weight,
    /// the first row of its `x` part (for weights that stack `[h, x]` rows), the position of the
    /// recurrent weight, and of the bias, if any.
    static func gateLayout(hiddenSize: Int) -> [(inputWeight: Int, inputRowOffset: Int, recurrentWeight: Int, bias: Int?)]
}
