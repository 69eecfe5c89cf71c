import GRULabTensor

/// The trajectory of a recurrent state through one pass over a sequence.
///
/// Slot `s` holds the state before step `s` (slot 0 is the initial state, slot `T` the final
/// one); each slot is `[N, H]`. `c` exists for cells with a memory cell (`lstm`,
/// `cellstate-gru`). During backward the same shape carries the gradients of one slot.
public struct StateBuffers<Scalar: TensorScalar>: Sendable {
    /// Slots of the hidden state h (the cell's output): `[slots, N, H]`.
    public let h: Buffer<Scalar>
    /// Slots of the memory cell c, when the cell has one: `[slots, N, H]`.
    public let c: Buffer<Scalar>?
    /// Variational dropout's recurrent mask, `[N, H]`, for a cell that applies it itself
    /// (``RecurrentCell/appliesRecurrentMask``): it multiplies the operands of the recurrent
    /// products, never the state the cell carries. `nil` when there is none.
    public var recurrentMask: Buffer<Scalar>?
    /// `N`.
    public let batch: Int
    /// `H`.
    public let hiddenSize: Int

    /// Zeroed buffers of `slots` slots; with `zeroingFirstSlotOnly`, only slot 0 is zeroed, for
    /// a forward pass, where every step writes the slot after it before anything reads it (the
    /// trajectory is as large as the activations a pass saves, and zeroing it costs a pass over
    /// memory).
    public init(slots: Int, batch: Int, hiddenSize: Int, hasCell: Bool, zeroingFirstSlotOnly: Bool = false) {
        let count = slots * batch * hiddenSize
        h = Buffer(count: count, zeroed: !zeroingFirstSlotOnly)
        c = hasCell ? Buffer(count: count, zeroed: !zeroingFirstSlotOnly) : nil
        if zeroingFirstSlotOnly {
            h.pointer.update(repeating: 0, count: batch * hiddenSize)
            c?.pointer.update(repeating: 0, count: batch * hiddenSize)
        }
        recurrentMask = nil
        self.batch = batch
        self.hiddenSize = hiddenSize
    }

    /// The first element of h at `slot`.
    @inlinable
    public func h(_ slot: Int) -> UnsafeMutablePointer<Scalar> { h.pointer + slot * batch * hiddenSize }

    /// The first element of c at `slot`; only for cells with a memory cell.
    @inlinable
    public func c(_ slot: Int) -> UnsafeMutablePointer<Scalar> { c!.pointer + slot * batch * hiddenSize }
}

/// A recurrent cell: named parameters and one step, with its exact backward step.
///
/// The framework owns the time loop (``RecurrentNetwork``): it calls ``prepare(input:workspace:)``
/// once, where a cell computes the input projections of all `T*N` rows in one GEMM; then
/// ``step(_:states:workspace:)`` for `t = 0..<T`, where only the recurrent product is
/// sequential; in backward ``stepBackward(_:states:gradient:workspace:)`` for `t = T-1...0`,
/// where the framework sees the total `dL/dh_t` between steps; and last
/// ``finishBackward(input:states:workspace:inputGradient:parameterGradients:)``, where the
/// weight gradients come from large GEMMs over all rows. Because the loop is the framework's,
/// every cell gets the same modifiers, length masking and gradient instrumentation.
///
/// Shapes use one legend: `T` steps, `N` batch, `C` input size, `H` hidden size; all buffers
/// are row-major with the rightmost dimension fastest.
public protocol RecurrentCell<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar
    /// What a pass saves for backward; allocated once per pass by ``makeWorkspace(steps:batch:)``.
    associatedtype Workspace

    /// `C`.
    var inputSize: Int { get }
    /// `H`.
    var hiddenSize: Int { get }
    /// Whether the state has a memory cell `c` beside `h`.
    var hasCell: Bool { get }
    /// The parameters, named by the cell's convention.
    var parameters: ParameterSet<Scalar> { get set }

    /// Buffers for a pass of `steps` steps over `batch` sequences.
    func makeWorkspace(steps: Int, batch: Int) -> Workspace

    /// Buffers for a pass that no backward follows (``RecurrentNetwork/evaluate(_:initialState:lengths:)``):
    /// what a step saves for backward need only live until the next step, so a cell may keep
    /// one step of it where ``makeWorkspace(steps:batch:)`` keeps `T`, writing to memory that
    /// stays in cache. The default is ``makeWorkspace(steps:batch:)``.
    func makeEvaluationWorkspace(steps: Int, batch: Int) -> Workspace

    /// Computes what depends on the input only, for all steps at once.
    /// - Parameter input: `[T, N, C]`, read only.
    func prepare(input: UnsafePointer<Scalar>, workspace: Workspace)

    /// Step `t`: reads slot `t` of `states`, writes slot `t + 1`, saves what backward needs.
    func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace)

    /// The backward of step `t`.
    ///
    /// It may read slot `t` of `states` (what the step read) but not slot `t + 1`: modifiers
    /// such as zoneout rewrite that slot after the step, so a value the backward needs from
    /// the step's own output belongs in the workspace.
    ///
    /// On entry `gradient` slot 0 holds `dL/d(state at slot t+1)`, the total derivative; on
    /// exit it holds `dL/d(state at slot t)` through this step. The gradients of the step's
    /// pre-activations are kept in the workspace for ``finishBackward``.
    func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                      workspace: Workspace)

    /// After the backward loop: adds every parameter's gradient into `parameterGradients`
    /// (same names and shapes as ``parameters``) and overwrites `inputGradient` (`[T, N, C]`)
    /// with `dL/dx`.
    func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                        workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                        parameterGradients: inout ParameterSet<Scalar>)

    /// The gate that decides how much of the state is carried, as the last pass saved it, for
    /// gate statistics: a GRU's update gate z, an LSTM's forget gate f. `nil` for cells
    /// without one (the default).
    func carryGate(in workspace: Workspace) -> GateView<Scalar>?

    /// Whether the cell applies variational dropout's recurrent mask itself, to the operands
    /// of its recurrent products only (``StateBuffers/recurrentMask``). A cell that carries
    /// `h` through a blend (`h' = z ⊙ h + …`) must: masking the carried state with inverted
    /// scaling would amplify it at every step. The default, `false`, lets the framework mask
    /// the whole state the cell reads, which is exact for cells that read `h` only through
    /// products (LSTM, plain RNN).
    var appliesRecurrentMask: Bool { get }

    /// How many consecutive features of the input and of the state share one draw of
    /// variational dropout's masks: `Y·X` for a convolutional cell, whose masks drop whole
    /// channel maps (neighbouring pixels are strongly correlated, so dropping single pixels
    /// barely regularises; Tompson et al. 2015), 1 otherwise (the default).
    var channelSize: Int { get }
}

extension RecurrentCell {
    public func makeEvaluationWorkspace(steps: Int, batch: Int) -> Workspace {
        makeWorkspace(steps: steps, batch: batch)
    }
    public func carryGate(in workspace: Workspace) -> GateView<Scalar>? { nil }
    public var appliesRecurrentMask: Bool { false }
    public var channelSize: Int { 1 }
}

/// Where a gate's values lie in a workspace: for each of the `T*N` rows, `H` values starting at
/// `base + row * rowStride`.
public struct GateView<Scalar: TensorScalar> {
    public let base: UnsafePointer<Scalar>
    public let rows: Int
    public let rowStride: Int
    public let width: Int

    public init(base: UnsafePointer<Scalar>, rows: Int, rowStride: Int, width: Int) {
        self.base = base
        self.rows = rows
        self.rowStride = rowStride
        self.width = width
    }
}
