import Yams

/// What a setting accepts; parses a YAML node into a ``SettingValue`` or says what was
/// expected.
enum ValueKind: Sendable {
    /// Any scalar but null, as text, without NUL characters (strings are file and dataset names).
    case string
    /// Letters, digits, `.`, `_`, `-`, not starting with `.`: the experiment name is a directory.
    case identifier
    /// A run name: see ``RunName``.
    case runName
    /// An integer ≥ `min`.
    case integer(min: Int)
    /// A finite number for which `valid` holds; `expected` says which.
    case number(expected: String, valid: @Sendable (Double) -> Bool)
    case boolean
    case choice([String])
    /// A cell name, checked against the known cells given to the loader.
    case cell
    /// A task name.
    case task
    /// The kind, or null.
    indirect case optional(ValueKind)

    static let positive = ValueKind.number(expected: "a positive number") { $0 > 0 }
    static let nonNegative = ValueKind.number(expected: "a non-negative number") { $0 >= 0 }
    static let probability = ValueKind.number(expected: "a probability in [0, 1)") { $0 >= 0 && $0 < 1 }
    static let fraction = ValueKind.number(expected: "a number in [0, 1)") { $0 >= 0 && $0 < 1 }
    static let finite = ValueKind.number(expected: "a number") { $0.isFinite }
    static let factor = ValueKind.number(expected: "a number in (0, 1]") { $0 > 0 && $0 <= 1 }

    /// The phrase after "expected".
    var expected: String {
        switch self {
        case .string: "a string without NUL characters"
        case .identifier: "a name of letters, digits, '.', '_' and '-'"
        case .runName: "a file-safe run name (no '/', NUL or '..', at most \(RunName.maximumLength) characters)"
        case let .integer(min):
            switch min {
            case 0: "a non-negative integer"
            case 1: "a positive integer"
            default: "an integer ≥ \(min)"
            }
        case let .number(expected, _): expected
        case .boolean: "true or false"
        case let .choice(values): "one of \(values.joined(separator: ", "))"
        case .cell: "a cell name"
        case .task: "a task name"
        case let .optional(kind): "\(kind.expected) or null"
        }
    }

    /// The node as a value of this kind, or the error naming `key` at `origin`.
    func parse(_ node: Node, key: String, origin: Origin, knownCells: [String]) -> Result<SettingValue, ExperimentError> {
        func invalid(_ suggestion: String? = nil) -> Result<SettingValue, ExperimentError> {
            .failure(.invalidValue(origin, key: key, expected: expected, found: describe(node), suggestion: suggestion))
        }
        guard case let .scalar(scalar) = node else { return invalid() }
        let text = scalar.string
        let plain = scalar.style == .plain || scalar.style == .any
        let isNull = plain && ["", "~", "null", "Null", "NULL"].contains(text)
        switch self {
        case let .optional(kind):
            return isNull ? .success(.null) : kind.parse(node, key: key, origin: origin, knownCells: knownCells).mapError {
                guard case let .invalidValue(o, k, _, found, s) = $0 else { return $0 }
                return .invalidValue(o, key: k, expected: expected, found: found, suggestion: s)
            }
        case _ where isNull:
            return invalid()
        case .string:
            // A NUL ends the string a C library sees: `a.h5\0b` would open `a.h5`.
            return text.unicodeScalars.contains("\u{0}") ? invalid() : .success(.string(text))
        case .identifier:
            let allowed = text.unicodeScalars.allSatisfy { RunName.isWordCharacter($0) }
            return allowed && !text.hasPrefix(".") ? .success(.string(text)) : invalid()
        case .runName:
            return RunName.isSafe(text) ? .success(.string(text)) : invalid()
        case let .integer(min):
            guard plain, let value = Int(text) ?? Self.integral(text), value >= min else { return invalid() }
            return .success(.int(value))
        case let .number(_, valid):
            guard plain, let value = Double(text), value.isFinite, valid(value) else { return invalid() }
            return .success(.number(value))
        case .boolean:
            guard plain, let value = ["true": true, "false": false][text.lowercased()] else { return invalid() }
            return .success(.bool(value))
        case let .choice(values):
            return values.contains(text) ? .success(.string(text)) : invalid(suggestion(for: text, among: values))
        case .cell:
            guard knownCells.contains(text) else {
                return .failure(.unknownCell(origin, key: key, name: text,
                                             suggestion: suggestion(for: text, among: knownCells), known: knownCells))
            }
            return .success(.string(text))
        case .task:
            let known = TaskSpec.names
            guard known.contains(text) else {
                return .failure(.unknownTask(origin, key: key, name: text, suggestion: suggestion(for: text, among: known),
                                             known: known))
            }
            return .success(.string(text))
        }
    }
}

extension ValueKind {
    /// A number written with a fraction or an exponent whose value is a whole number that an
    /// `Int` holds: `1e6`, `100.0`; nil for `1.5`, `1e30`.
    static func integral(_ text: String) -> Int? {
        guard let value = Double(text), value == value.rounded(), abs(value) < 0x1p63 else { return nil }
        return Int(value)
    }
}

/// A node as an error message shows what was found: `'fast'`, `"0.1"` (quoted in the file),
/// `null`, `a list`, `a mapping`.
func describe(_ node: Node) -> String {
    switch node {
    case let .scalar(scalar):
        let plain = scalar.style == .plain || scalar.style == .any
        if plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return "null" }
        return plain ? "'\(scalar.string)'" : "the string \"\(scalar.string)\""
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .alias: return "an alias"
    }
}
