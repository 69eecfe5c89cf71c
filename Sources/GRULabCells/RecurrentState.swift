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
