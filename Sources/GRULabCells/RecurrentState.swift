import GRULabTensor

/// The state of a whole recurrent network: `h` `[L*D, N, H]`, and `c` `[L*D, N, H]` for cells
/// with a memory cell, indexed `layer * D + direction` as PyTorch's `h_n` (`L` layers, `D`
/// directions).
public struct RecurrentState<Scalar: TensorScalar>: Equatable, Sendable {
    public var h: Tensor<Scalar>
    public var c: Tensor<Scalar>?

    public init(h: Tensor<Scalar>, c: Tensor<Scalar>? = nil) {
        self.h = h
        self.c = c
    }
}

extension RecurrentState {
    /// The states of the sequences in each of `ranges`, for the parts of a split batch.
    func split(_ ranges: [Range<Int>]) -> [RecurrentState] {
        let hs = h.split(alongAxis: 1, ranges), cs = c?.split(alongAxis: 1, ranges)
        return hs.indices.map { RecurrentState(h: hs[$0], c: cs?[$0]) }
    }

    /// The states of a split batch's parts, joined in order.
    init(concatenating parts: [RecurrentState]) {
        self.init(h: Tensor(concatenating: parts.map(\.h), alongAxis: 1),
                  c: parts[0].c == nil ? nil : Tensor(concatenating: parts.map { $0.c! }, alongAxis: 1))
    }
}
