import GRULabTensor

/// A cell's named parameters, stored contiguously in one flat array.
///
/// Names and shapes follow the cell's documented convention (PyTorch's `named_parameters()`
/// for `gru`, `lstm` and `rnn-*`). One flat storage lets an optimizer, a gradient norm or a
/// checkpoint treat all parameters as one vector, and lets a cell reach every parameter
/// through one pointer.
public struct ParameterSet<Scalar: TensorScalar>: Equatable, Sendable {
    /// One parameter: its name, shape and place in ``storage``.
    public struct Entry: Equatable, Sendable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// The parameters in declaration order.
    public private(set) var entries: [Entry]
    /// All values, parameter after parameter, each row-major.
    public private(set) var storage: [Scalar]

    /// An empty set.
    public init() {
        entries = []
        storage = []
    }

    /// A set holding `tensors` under `names`, in that order.
    public init(_ named: [(String, Tensor<Scalar>)]) {
        self.init()
        for (name, tensor) in named { append(name, tensor) }
    }

    /// Adds a parameter at the end.
    public mutating func append(_ name: String, _ tensor: Tensor<Scalar>) {
        precondition(index(of: name) == nil, "duplicate parameter name \(name)")
        entries.append(Entry(name: name, shape: tensor.shape, offset: storage.count))
        storage.append(contentsOf: tensor.scalars)
    }

    /// The names in declaration order.
    public var names: [String] { entries.map(\.name) }

    /// The position of the parameter called `name`, or `nil`.
    public func index(of name: String) -> Int? {
        entries.firstIndex { $0.name == name }
    }

    /// The parameter at position `i` as a tensor.
    public func tensor(at i: Int) -> Tensor<Scalar> {
        let e = entries[i]
        return Tensor(shape: e.shape, scalars: Array(storage[e.offset..<e.offset + e.count]))
    }

    /// The parameter called `name`; setting requires the same shape.
    public subscript(name: String) -> Tensor<Scalar>? {
        get { index(of: name).map(tensor(at:)) }
        set {
            guard let i = index(of: name), let value = newValue else {
                preconditionFailure("no parameter \(name) to set")
            }
            let e = entries[i]
            precondition(value.shape == e.shape, "\(name) has shape \(e.shape), got \(value.shape)")
            storage.replaceSubrange(e.offset..<e.offset + e.count, with: value.scalars)
        }
    }

    /// The same names and shapes, every value zero: the shape of a gradient.
    public func zeros() -> ParameterSet {
        var copy = self
        copy.storage = Array(repeating: 0, count: storage.count)
        return copy
    }

    /// The same entries with every name passed through `rename`.
    public func renamed(_ rename: (String) -> String) -> ParameterSet {
        var copy = self
        copy.entries = entries.map { Entry(name: rename($0.name), shape: $0.shape, offset: $0.offset) }
        return copy
    }

    /// This set followed by `other`'s parameters.
    public func concatenated(with other: ParameterSet) -> ParameterSet {
        var copy = self
        for e in other.entries {
            copy.entries.append(Entry(name: e.name, shape: e.shape, offset: e.offset + storage.count))
        }
        copy.storage += other.storage
        return copy
    }

    /// The parameters from `range` of ``entries``, re-based to start at offset 0.
    public func subset(_ range: Range<Int>) -> ParameterSet {
        guard let first = range.first.map({ entries[$0].offset }) else { return ParameterSet() }
        let end = range.last.map { entries[$0].offset + entries[$0].count } ?? first
        var copy = ParameterSet()
        copy.entries = entries[range].map { Entry(name: $0.name, shape: $0.shape, offset: $0.offset - first) }
        copy.storage = Array(storage[first..<end])
        return copy
    }

    /// Calls `body` with the flat storage for reading.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the flat storage for writing in place.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0) }
    }
}
