import GRULabTensor

/// Cells by name: the built-in ones and any a researcher registers.
///
/// ```swift
/// var registry = CellRegistry.builtIn
/// let network: RecurrentNetwork<Float> = try registry.makeNetwork(
///     cell: "gru", inputSize: 2, hiddenSize: 128, configuration: .init(numLayers: 2),
///     using: &generator)
/// ```
public struct CellRegistry: Sendable {
    /// The cells in registration order.
    public private(set) var descriptors: [CellDescriptor]

    /// A registry holding `descriptors`.
    public init(_ descriptors: [CellDescriptor] = []) {
        self.descriptors = descriptors
    }

    /// The names, in registration order.
    public var names: [String] { descriptors.map(\.name) }

    /// Adds a cell; its name must be new.
    public mutating func register(_ descriptor: CellDescriptor) throws {
        guard !names.contains(descriptor.name) else { throw CellRegistryError.duplicate(descriptor.name) }
        descriptors.append(descriptor)
    }

    /// The cell called `name`.
    /// - Throws: ``CellRegistryError/unknown(_:known:)`` listing the known names.
    public func descriptor(named name: String) throws -> CellDescriptor {
        guard let found = descriptors.first(where: { $0.name == name }) else {
            throw CellRegistryError.unknown(name, known: names)
        }
        return found
    }

    /// A network of the cell called `name`, every layer and direction initialised from `generator`.
    ///
    /// A preset's modifiers apply unless `configuration.modifiers` sets any (then those apply
    /// as given). A cell that solves its recurrence ahead of the loop steps sequentially when a
    /// modifier rewrites the state.
    public func makeNetwork<Scalar: TensorScalar>(
        cell name: String, inputSize: Int, hiddenSize: Int,
        configuration: RecurrentNetwork<Scalar>.Configuration = .init(), options: CellOptions = .init(),
        using generator: inout SeededGenerator
    ) throws -> RecurrentNetwork<Scalar> {
        let descriptor = try descriptor(named: name)
        var configuration = configuration
        if configuration.modifiers == .none, let preset = descriptor.preset {
            configuration.modifiers = preset.modifiers
        }
        try configuration.modifiers.validate()
        try Self.checkFeatureMap(options.featureMap, of: descriptor, inputSize: inputSize, hiddenSize: hiddenSize)
        var options = options
        options.parallelScan = options.parallelScan && !configuration.modifiers.rewritesState
        return RecurrentNetwork(inputSize: inputSize, hiddenSize: hiddenSize, configuration: configuration) {
            descriptor.make(inputSize: $0, hiddenSize: hiddenSize, options: options, using: &generator)
        }
    }
}

extension CellRegistry {
    /// Checks that a convolutional cell has a usable feature map that both flat sizes are
    /// whole channels of, and that a vector cell has none.
    static func checkFeatureMap(_ map: FeatureMap?, of descriptor: CellDescriptor, inputSize: Int,
                                hiddenSize: Int) throws {
        guard descriptor.convolutional else {
            if map != nil { throw CellRegistryError.featureMapUnexpected(descriptor.name) }
            return
        }
        guard let map else { throw CellRegistryError.featureMapMissing(descriptor.name) }
        try map.validate()
        for (name, size) in [("input size", inputSize), ("hidden size", hiddenSize)] where size % map.pixels != 0 {
            throw FeatureMapError.notWholeChannels(name: name, features: size, pixels: map.pixels)
        }
    }
}

/// A cell name the registry cannot serve, or options that do not fit the cell.
public enum CellRegistryError: Error, CustomStringConvertible, Equatable {
    case unknown(String, known: [String])
    case duplicate(String)
    /// A convolutional cell without ``CellOptions/featureMap``.
    case featureMapMissing(String)
    /// A vector cell given a ``CellOptions/featureMap``.
    case featureMapUnexpected(String)

    public var description: String {
        switch self {
        case let .unknown(name, known): "unknown cell '\(name)'; known cells: \(known.joined(separator: ", "))"
        case let .duplicate(name): "a cell named '\(name)' is already registered"
        case let .featureMapMissing(name):
            "cell '\(name)' is convolutional: it needs the feature maps' height, width and kernel size"
        case let .featureMapUnexpected(name):
            "cell '\(name)' is not convolutional: it takes no feature map (height, width, kernel size)"
        }
    }
}
