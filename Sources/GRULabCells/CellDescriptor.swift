import GRULabTensor

/// A registered cell: its name, its documentation, and how to make it in either precision.
public struct CellDescriptor: Sendable {
    /// The name experiment files and the command line use, e.g. `gru`.
    public let name: String
    /// One line for listings.
    public let summary: String
    /// The equations, in the notation of the cell's documentation.
    public let equations: String
    /// Each parameter's name and shape, in `ParameterSet` order, in terms of `C` and `H`.
    public let parameterShapes: [(name: String, shape: String)]
    /// Where the convention comes from.
    public let reference: String
    /// Whether the state has a memory cell `c`.
    public let hasCell: Bool
    /// The ``CellOptions`` the cell reads, for listings and documentation.
    public let options: Set<CellOptionName>
    /// Whether the cell convolves feature maps and needs ``CellOptions/featureMap``.
    public let convolutional: Bool
    /// For a preset such as `zoneout-gru`: the cell it builds on and its modifiers.
    public let preset: (base: String, modifiers: StateModifiers)?

    private let makeFloat: @Sendable (Int, Int, CellOptions, inout SeededGenerator) -> AnyRecurrentCell<Float>
    private let makeDouble: @Sendable (Int, Int, CellOptions, inout SeededGenerator) -> AnyRecurrentCell<Double>

    /// A descriptor whose cell is made by `make`, which must be written with concrete types:
    /// once for `Float` and once for `Double`, so that each is compiled specialised.
    public init(name: String, summary: String, equations: String,
                parameterShapes: [(name: String, shape: String)], reference: String, hasCell: Bool,
                options: Set<CellOptionName> = [.initializer], convolutional: Bool = false,
                makeFloat: @escaping @Sendable (_ inputSize: Int, _ hiddenSize: Int, CellOptions,
                                                inout SeededGenerator) -> AnyRecurrentCell<Float>,
                makeDouble: @escaping @Sendable (_ inputSize: Int, _ hiddenSize: Int, CellOptions,
                                                 inout SeededGenerator) -> AnyRecurrentCell<Double>) {
        self.name = name
        self.summary = summary
        self.equations = equations
        self.parameterShapes = parameterShapes
        self.reference = reference
        self.hasCell = hasCell
        self.options = options
        self.convolutional = convolutional
        self.preset = nil
        self.makeFloat = makeFloat
        self.makeDouble = makeDouble
    }

    private init(preset name: String, summary: String, base: CellDescriptor, modifiers: StateModifiers) {
        self.name = name
        self.summary = summary
        equations = base.equations
        parameterShapes = base.parameterShapes
        reference = base.reference
        hasCell = base.hasCell
        options = base.options
        convolutional = base.convolutional
        preset = (base.name, modifiers)
        makeFloat = base.makeFloat
        makeDouble = base.makeDouble
    }

    /// A preset: this cell under another name with default ``StateModifiers``.
    public func preset(_ name: String, summary: String, modifiers: StateModifiers) -> CellDescriptor {
        CellDescriptor(preset: name, summary: summary, base: self, modifiers: modifiers)
    }

    /// A new cell with parameters drawn from `generator`.
    public func make<Scalar: TensorScalar>(inputSize: Int, hiddenSize: Int, options: CellOptions = .init(),
                                           using generator: inout SeededGenerator) -> AnyRecurrentCell<Scalar> {
        if Scalar.self == Float.self {
            return makeFloat(inputSize, hiddenSize, options, &generator) as! AnyRecurrentCell<Scalar>
        }
        precondition(Scalar.self == Double.self, "cells come in Float and Double")
        return makeDouble(inputSize, hiddenSize, options, &generator) as! AnyRecurrentCell<Scalar>
    }
}

/// A field of ``CellOptions`` a cell reads.
public enum CellOptionName: String, Sendable, Hashable, CaseIterable {
    case gateActivation = "gate activation"
    case candidateActivation = "candidate activation"
    case initializer
    case forgetBias = "forget bias"
    case featureMap = "feature map (height, width, kernel size)"
}
