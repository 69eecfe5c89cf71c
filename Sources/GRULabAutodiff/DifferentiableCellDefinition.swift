import _Differentiation
import GRULabCells
import GRULabTensor

/// The state a custom cell's step maps: `h` `[N, H]`, and `c` `[N, H]` for a cell with a memory
/// cell (for the others `c` is the rank-0 zero and stays unused).
public struct CellState<Scalar: TensorScalar>: Differentiable, AdditiveArithmetic {
    public typealias TangentVector = CellState
    /// The hidden state, the cell's output: `[N, H]`.
    public var h: Tensor<Scalar>
    /// The memory cell `[N, H]`, or the rank-0 zero for cells without one.
    public var c: Tensor<Scalar>

    /// A state of `h` and, for cells with a memory cell, `c`.
    @differentiable(reverse)
    public init(h: Tensor<Scalar>, c: Tensor<Scalar> = .zero) {
        self.h = h
        self.c = c
    }
}

/// How a parameter of a custom cell is filled before training.
public enum ParameterInitialization: Sendable, Equatable {
    /// By the ``CellInitializer`` of the cell's options, for this role (PyTorch's
    /// `U(-1/sqrt(H), 1/sqrt(H))` by default).
    case role(CellInitializer.Role)
    /// Every element `value`, e.g. `1` for a layer-norm gain.
    case constant(Double)
}

/// One parameter of a custom cell: its name in the cell's ``ParameterSet``, its shape, how it
/// starts, and where it lives in the definition.
public struct ParameterSpec<Definition: DifferentiableCellDefinition>: @unchecked Sendable {
    public let name: String
    public let shape: [Int]
    public let initialization: ParameterInitialization
    public let keyPath: WritableKeyPath<Definition, Tensor<Definition.Scalar>>

    public init(_ name: String, _ keyPath: WritableKeyPath<Definition, Tensor<Definition.Scalar>>,
                shape: [Int], initialization: ParameterInitialization) {
        self.name = name
        self.shape = shape
        self.initialization = initialization
        self.keyPath = keyPath
    }
}

/// A custom recurrent cell written as one differentiable forward step.
///
/// The conforming type holds the parameters as `Tensor` stored properties and nothing else (it
/// is its own tangent vector: write `Differentiable, AdditiveArithmetic` and the compiler
/// synthesises both). ``step(_:_:)`` maps `x_t` `[N, C]` and the state at `t` to the state at
/// `t + 1`; gradients come from Swift's `_Differentiation`. ``DifferentiableCell`` runs it inside
/// GRULab's time loop, so it works in layers, bidirectional, with modifiers and the `dL/dh_t`
/// observer.
///
/// ```swift
/// struct ElmanCell<Scalar: TensorScalar>: DifferentiableCellDefinition {
///     var weight_ih, weight_hh, bias: Tensor<Scalar>
///     static func parameters(inputSize c: Int, hiddenSize h: Int) -> [ParameterSpec<Self>] {
///         [.init("weight_ih", \.weight_ih, shape: [h, c], initialization: .role(.input)),
///          .init("weight_hh", \.weight_hh, shape: [h, h], initialization: .role(.recurrent)),
///          .init("bias", \.bias, shape: [h], initialization: .role(.bias))]
///     }
///     @differentiable(reverse)
///     func step(_ x: Tensor<Scalar>, _ state: CellState<Scalar>) -> CellState<Scalar> {
///         CellState(h: tanh(x.productTransposed(weight_ih) + state.h.productTransposed(weight_hh) + bias))
///     }
/// }
/// ```
public protocol DifferentiableCellDefinition<Scalar>: Differentiable, AdditiveArithmetic, Sendable
where TangentVector == Self {
    associatedtype Scalar: TensorScalar

    /// Whether the state has a memory cell `c` beside `h`; `false` unless stated.
    static var hasCell: Bool { get }

    /// The parameters for input size `C` and hidden size `H`, in ``ParameterSet`` order.
    static func parameters(inputSize: Int, hiddenSize: Int) -> [ParameterSpec<Self>]

    /// One step: `x` `[N, C]` and the state at `t` (`[N, H]` each) to the state at `t + 1`.
    @differentiable(reverse)
    func step(_ x: Tensor<Scalar>, _ state: CellState<Scalar>) -> CellState<Scalar>
}

extension DifferentiableCellDefinition {
    public static var hasCell: Bool { false }
}
