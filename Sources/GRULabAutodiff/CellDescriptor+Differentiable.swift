import GRULabCells
import GRULabTensor

extension CellDescriptor {
    /// The descriptor of a custom cell, in both precisions, from its definition type: register
    /// it and `registry.makeNetwork(cell: name, …)` builds layers of ``DifferentiableCell``.
    ///
    /// ```swift
    /// try registry.register(.differentiable(
    ///     LayerNormGRU<Float>.self, LayerNormGRU<Double>.self, name: "layernorm-gru",
    ///     summary: "GRU with layer norm on both projections (haste)",
    ///     equations: LayerNormGRU<Double>.equations, reference: "haste LayerNormGRU"))
    /// ```
    ///
    /// Pass the definition once per precision, as concrete types, so that each step is compiled
    /// specialised. The parameter shapes of the listing are read from
    /// `Definition.parameters(inputSize:hiddenSize:)` (shapes linear in `C` and `H`, such as
    /// `[3H, C]` or `[2, 3H]`). The cell's options give the initializer of each
    /// ``ParameterInitialization/role(_:)``; the activations in the options are the definition's
    /// own business and are not passed on.
    public static func differentiable<F: DifferentiableCellDefinition, D: DifferentiableCellDefinition>(
        _ float: F.Type, _ double: D.Type, name: String, summary: String, equations: String, reference: String
    ) -> CellDescriptor where F.Scalar == Float, D.Scalar == Double {
        CellDescriptor(
            name: name, summary: summary, equations: equations,
            parameterShapes: D.parameters(inputSize: probeC, hiddenSize: probeH).map {
                ($0.name, shapeDescription($0.shape))
            },
            reference: reference, hasCell: D.hasCell,
            makeFloat: { AnyRecurrentCell(DifferentiableCell<F>(inputSize: $0, hiddenSize: $1, initializer: $2.initializer, using: &$3)) },
            makeDouble: { AnyRecurrentCell(DifferentiableCell<D>(inputSize: $0, hiddenSize: $1, initializer: $2.initializer, using: &$3)) })
    }

    private static let probeC = 1000, probeH = 1_000_000

    /// A shape computed at `C = 1000`, `H = 10^6` written back in `C` and `H`: each extent is
    /// read as `a H + b C + k` with `a, b, k < 1000`.
    static func shapeDescription(_ shape: [Int]) -> String {
        let extents = shape.map { extent -> String in
            let a = extent / probeH, b = extent % probeH / probeC, k = extent % probeC
            var terms: [String] = []
            if a > 0 { terms.append(a == 1 ? "H" : "\(a)H") }
            if b > 0 { terms.append(b == 1 ? "C" : "\(b)C") }
            if k > 0 || terms.isEmpty { terms.append("\(k)") }
            return terms.joined(separator: " + ")
        }
        return "[" + extents.joined(separator: ", ") + "]"
    }
}
