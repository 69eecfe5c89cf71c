import _Differentiation
import GRULabCells
import GRULabTensor

/// A ``DifferentiableCellDefinition`` as a ``RecurrentCell``: the framework's time loop runs
/// the definition's step, and its backward is the step's pullback.
///
/// - ``prepare(input:workspace:)`` keeps a copy of the input `[T, N, C]`; nothing is hoisted,
///   since the step is one opaque function of `(x_t, state)`.
/// - ``step(_:states:workspace:)`` calls `valueWithPullback` on the step and saves the pullback
///   of step `t` (so backward does not recompute the forward).
/// - ``stepBackward(_:states:gradient:workspace:)`` applies that pullback to `dL/d(state t+1)`,
///   which gives `dL/d(state t)` (written in place), `dL/dx_t` and the step's parameter
///   gradient, both accumulated in the workspace.
/// - ``finishBackward(input:states:workspace:inputGradient:parameterGradients:)`` writes `dL/dx`
///   and adds the parameter gradients.
///
/// A pass may be differentiated more than once: the pullbacks stay with the workspace, the
/// accumulators are reset after each ``finishBackward(input:states:workspace:inputGradient:parameterGradients:)``.
public struct DifferentiableCell<Definition: DifferentiableCellDefinition>: RecurrentCell {
    public typealias Scalar = Definition.Scalar

    public let inputSize: Int
    public let hiddenSize: Int
    /// The parameters as the researcher's struct.
    public var definition: Definition
    private let specs: [ParameterSpec<Definition>]

    public var hasCell: Bool { Definition.hasCell }

    /// A cell of `definition`, whose tensors must have the shapes
    /// `Definition.parameters(inputSize:hiddenSize:)` declares.
    public init(_ definition: Definition, inputSize: Int, hiddenSize: Int) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.definition = definition
        specs = Definition.parameters(inputSize: inputSize, hiddenSize: hiddenSize)
        for spec in specs {
            precondition(definition[keyPath: spec.keyPath].shape == spec.shape,
                         "\(spec.name) has shape \(definition[keyPath: spec.keyPath].shape), declared \(spec.shape)")
        }
    }

    /// A cell with parameters drawn as each ``ParameterSpec`` says, roles by `initializer`.
    public init(inputSize: Int, hiddenSize: Int, initializer: CellInitializer = .init(),
                using generator: inout SeededGenerator) {
        var definition = Definition.zero
        for spec in Definition.parameters(inputSize: inputSize, hiddenSize: hiddenSize) {
            let value: Tensor<Scalar> = switch spec.initialization {
            case .constant(let v): Tensor(repeating: Scalar(v), shape: spec.shape)
            case .role(let role):
                initializer.parameters([(spec.name, spec.shape, role)], hiddenSize: hiddenSize, using: &generator)
                    .tensor(at: 0)
            }
            definition[keyPath: spec.keyPath] = value
        }
        self.init(definition, inputSize: inputSize, hiddenSize: hiddenSize)
    }

    /// The definition's tensors, named and ordered as its ``ParameterSpec``s.
    public var parameters: ParameterSet<Scalar> {
        get { ParameterSet(specs.map { ($0.name, definition[keyPath: $0.keyPath]) }) }
        set {
            for spec in specs {
                guard let value = newValue[spec.name] else { preconditionFailure("no parameter \(spec.name)") }
                precondition(value.shape == spec.shape, "\(spec.name) has shape \(spec.shape), got \(value.shape)")
                definition[keyPath: spec.keyPath] = value
            }
        }
    }

    /// What a pass keeps: the input, each step's pullback, the gradient accumulators.
    public final class Workspace {
        let steps: Int, batch: Int
        var input: [Scalar] = []
        var pullbacks: [(CellState<Scalar>) -> (Definition, Tensor<Scalar>, CellState<Scalar>)] = []
        var inputGradient: [Scalar]
        var parameterGradient = Definition.zero

        init(steps: Int, batch: Int, inputSize: Int) {
            self.steps = steps
            self.batch = batch
            inputGradient = Array(repeating: 0, count: steps * batch * inputSize)
        }
    }

    public func makeWorkspace(steps: Int, batch: Int) -> Workspace {
        Workspace(steps: steps, batch: batch, inputSize: inputSize)
    }

    public func prepare(input: UnsafePointer<Scalar>, workspace: Workspace) {
        workspace.input = Array(UnsafeBufferPointer(start: input, count: workspace.steps * workspace.batch * inputSize))
        workspace.pullbacks.removeAll(keepingCapacity: true)
    }

    private func read(_ p: UnsafeMutablePointer<Scalar>, rows: Int) -> Tensor<Scalar> {
        Tensor(shape: [rows, hiddenSize], scalars: Array(UnsafeBufferPointer(start: p, count: rows * hiddenSize)))
    }

    /// Writes `value` `[N, H]` to `p`; the rank-0 zero writes zeros.
    private func write(_ value: Tensor<Scalar>, to p: UnsafeMutablePointer<Scalar>, rows: Int, name: String) {
        let count = rows * hiddenSize
        if value.rank == 0 {
            p.update(repeating: value.scalars[0], count: count)
            return
        }
        precondition(value.shape == [rows, hiddenSize], "the step's \(name) has shape \(value.shape), expected [\(rows), \(hiddenSize)]")
        value.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: count) }
    }

    public func step(_ t: Int, states: StateBuffers<Scalar>, workspace: Workspace) {
        let n = workspace.batch, c = inputSize
        let x = Tensor(shape: [n, c], scalars: Array(workspace.input[t * n * c..<(t + 1) * n * c]))
        let state = CellState(h: read(states.h(t), rows: n), c: hasCell ? read(states.c(t), rows: n) : .zero)
        let (next, pullback) = valueWithPullback(at: definition, x, state) { d, x, s in d.step(x, s) }
        write(next.h, to: states.h(t + 1), rows: n, name: "h")
        if hasCell { write(next.c, to: states.c(t + 1), rows: n, name: "c") }
        if workspace.pullbacks.count == t {
            workspace.pullbacks.append(pullback)
        } else {
            workspace.pullbacks[t] = pullback
        }
    }

    public func stepBackward(_ t: Int, states: StateBuffers<Scalar>, gradient: StateBuffers<Scalar>,
                             workspace: Workspace) {
        let n = workspace.batch, c = inputSize
        let upstream = CellState(h: read(gradient.h(0), rows: n), c: hasCell ? read(gradient.c(0), rows: n) : .zero)
        let (dDefinition, dx, dState) = workspace.pullbacks[t](upstream)
        workspace.parameterGradient += dDefinition
        if dx.rank != 0 {
            precondition(dx.shape == [n, c], "input gradient of shape \(dx.shape)")
            workspace.inputGradient.replaceSubrange(t * n * c..<(t + 1) * n * c, with: dx.scalars)
        }
        write(dState.h, to: gradient.h(0), rows: n, name: "dh")
        if hasCell { write(dState.c, to: gradient.c(0), rows: n, name: "dc") }
    }

    public func finishBackward(input: UnsafePointer<Scalar>, states: StateBuffers<Scalar>,
                               workspace: Workspace, inputGradient: UnsafeMutablePointer<Scalar>,
                               parameterGradients: inout ParameterSet<Scalar>) {
        workspace.inputGradient.withUnsafeBufferPointer {
            inputGradient.update(from: $0.baseAddress!, count: $0.count)
        }
        for spec in specs {
            let g = workspace.parameterGradient[keyPath: spec.keyPath].broadcast(to: spec.shape)
            guard let index = parameterGradients.index(of: spec.name) else { continue }
            let offset = parameterGradients.entries[index].offset
            parameterGradients.withUnsafeMutableBufferPointer { all in
                g.withUnsafeBufferPointer { Scalar.axpy(count: $0.count, alpha: 1, x: $0.baseAddress!, y: all.baseAddress! + offset) }
            }
        }
        workspace.parameterGradient = .zero
        workspace.inputGradient = Array(repeating: 0, count: workspace.inputGradient.count)
    }
}
