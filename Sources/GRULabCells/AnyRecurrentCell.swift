import GRULabTensor

/// A recurrent cell of any type with the given scalar.
///
/// Cells are generic over their scalar, and generic code reached only through a protocol runs
/// unspecialised, far slower than its specialised form. An `AnyRecurrentCell` is made where the
/// concrete cell type is known (the registry, or a researcher's own module), so the closures it
/// captures are compiled for that type: erasing costs one indirect call per step, not the
/// specialisation of the step's loops.
public struct AnyRecurrentCell<Scalar: TensorScalar>: RecurrentCell {
    /// The workspace of the wrapped cell.
    public struct Workspace {
        let base: Any
    }

    /// The wrapped cell.
    public private(set) var base: any RecurrentCell<Scalar>
    private let makeWorkspaceBody: @Sendable (any RecurrentCell<Scalar>, Int, Int, Bool) -> Any
    private let prepareBody: @Sendable (any RecurrentCell<Scalar>, UnsafePointer<Scalar>, Any) -> Void
    private let stepBody: @Sendable (any RecurrentCell<Scalar>, Int, StateBuffers<Scalar>, Any) -> Void
    private let stepBackwardBody: @Sendable (any RecurrentCell<Scalar>, Int, StateBuffers<Scalar>,
                                             StateBuffers<Scalar>, Any) -> Void
    private let carryGateBody: @Sendable (any RecurrentCell<Scalar>, Any) -> GateView<Scalar>?
    private let finishBody: @Sendable (any RecurrentCell<Scalar>, UnsafePointer<Scalar>, StateBuffers<Scalar>, Any,
                                       UnsafeMutablePointer<Scalar>, inout ParameterSet<Scalar>) -> Void

    /// Wraps `cell`; call it where `Cell` is a concrete type.
    @inlinable
    public init<Cell: RecurrentCell>(_ cell: Cell) where Cell.Scalar == Scalar {
        if let already = cell as? AnyRecurrentCell<Scalar> {
            self = already
            return
        }
        self.init(base: cell,
                  makeWorkspace: { cell, steps, batch, evaluation in
                      let cell = cell as! Cell
                      return evaluation ? cell.makeEvaluationWorkspace(steps: steps, batch: batch)
                          : cell.makeWorkspace(steps: steps, batch: batch)
                  },
                  prepare: { ($0 as! Cell).prepare(input: $1, workspace: $2 as! Cell.Workspace) },
                  step: { ($0 as! Cell).step($1, states: $2, workspace: $3 as! Cell.Workspace) },
                  stepBackward: {
                      ($0 as! Cell).stepBackward($1, states: $2, gradient: $3, workspace: $4 as! Cell.Workspace)
                  },
                  finish: {
                      ($0 as! Cell).finishBackward(input: $1, states: $2, workspace: $3 as! Cell.Workspace,
                                                   inputGradient: $4, parameterGradients: &$5)
                  },
                  carryGate: { ($0 as! Cell).carryGate(in: $1 as! Cell.Workspace) })
    }

    @usableFromInline
    init(base: any RecurrentCell<Scalar>,
         makeWorkspace: @escaping @Sendable (any RecurrentCell<Scalar>, Int, Int, Bool) -> Any,
         prepare: @escaping @Sendable (any RecurrentCell<Scalar>, UnsafePointer<Scalar>, Any) -> Void,
         step: @escaping @Sendable (any RecurrentCell<Scalar>, Int, StateBuffers<Scalar>, Any) -> Void,
         stepBackward: @escaping @Sendable (any RecurrentCell<Scalar>, Int, StateBuffers<Scalar>,
                                            StateBuffers<Scalar>, Any) -> Void,
         finish: @escaping @Sendable (any RecurrentCell<Scalar>, UnsafePointer<Scalar>, StateBuffers<Scalar>, Any,
                                      UnsafeMutablePointer<Scalar>, inout ParameterSet<Scalar>) -> Void,
         carryGate: @escaping @Sendable (any RecurrentCell<Scalar>, Any) -> GateView<Scalar>?) {
        self.base = base
        makeWorkspaceBody = makeWorkspace
        prepareBody = prepare
        stepBody = step
        stepBackwardBody = stepBackward
        finishBody = finish
        carryGateBody = carryGate
    }

    public var inputSize: Int { base.inputSize }
    public var hiddenSize: Int { base.hiddenSize }
    public var hasCell: Bool { base.hasCell }
    public var appliesRecurrentMask: Bool { base.appliesRecurrentMask }
    public var channelSize: Int { base.channelSize }
    public var parameters: ParameterSet<Scalar> {
        get { base.parameters }
        set { base.parameters = newValue }
    }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        Workspace(base: makeWorkspaceBody(base, steps, batch, false))
    }

    public func makeEvaluationWorkspace(steps: Int, batch: Int) -> Workspace {
        Workspace(base: makeWorkspaceBody(base, steps, batch, true))
    }

    public func prepare(input: UnsafePointer<Scalar>, workspace: Workspace) {
        prepareBody(base, input, workspace.base)
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        stepBody(base, t, states, workspace.base)
    }

    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        stepBackwardBody(base, t, states, gradient, workspace.base)
    }

    public func carryGate(in workspace: Workspace) -> GateView<Scalar>? {
        carryGateBody(base, workspace.base)
    }

    public func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                               workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                               parameterGradients: inout ParameterSet<Scalar>) {
        finishBody(base, input, states, workspace.base, inputGradient, &parameterGradients)
    }
}
