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
        var options = options
        options.parallelScan = options.parallelScan && !configuration.modifiers.rewritesState
        return RecurrentNetwork(inputSize: inputSize, hiddenSize: hiddenSize, configuration: configuration) {
            descriptor.make(inputSize: $0, hiddenSize: hiddenSize, options: options, using: &generator)
        }
    }
}

/// A cell name the registry cannot serve.
public enum CellRegistryError: Error, CustomStringConvertible, Equatable {
    case unknown(String, known: [String])
    case duplicate(String)

    public var description: String {
        switch self {
        case let .unknown(name, known): "unknown cell '\(name)'; known cells: \(known.joined(separator: ", "))"
        case let .duplicate(name): "a cell named '\(name)' is already registered"
        }
    }
}
