import GRULabAutodiff
import GRULabCells

extension CellRegistry {
    /// GRULab's built-in cells, this package's `layernorm-gru` and its presets, and
    /// GRULabAutodiff's `custom-gru` (gru's equations as a custom cell).
    public static var withCustomCells: CellRegistry {
        var registry = CellRegistry.builtIn
        // new names in a fresh registry: registering cannot fail
        for descriptor in [CellDescriptor.layerNormGRU, .customGRU] + CellRegistry.presets(of: [.layerNormGRU]) {
            try! registry.register(descriptor)
        }
        return registry
    }
}

extension CellDescriptor {
    /// `layernorm-gru`: ``LayerNormGRU`` in both precisions.
    public static let layerNormGRU = CellDescriptor.differentiable(
        LayerNormGRU<Float>.self, LayerNormGRU<Double>.self, name: "layernorm-gru",
        summary: "GRU with layer norm on the input and recurrent pre-activations (haste LayerNormGRU)",
        equations: LayerNormGRU<Double>.equations,
        reference: "LMNT haste, LayerNormGRU (frameworks/pytorch/layer_norm_gru.py); Ba et al. 2016")
}
