/// A validated value of one setting. Numbers keep their kind so that the resolved YAML
/// writes `100` for an integer and `0.001` for a rate.
enum SettingValue: Sendable, Hashable {
    case int(Int)
    case number(Double)
    case bool(Bool)
    case string(String)
    case null

    /// The text written to the resolved YAML and used in run names. Numbers use Swift's
    /// shortest round-tripping form (`0.001`, `1e-05`), which the loader reads back exactly.
    var text: String {
        switch self {
        case let .int(value): String(value)
        case let .number(value): String(value)
        case let .bool(value): String(value)
        case let .string(value): value
        case .null: "null"
        }
    }

    var int: Int? { if case let .int(v) = self { v } else { nil } }
    var number: Double? { if case let .number(v) = self { v } else { nil } }
    var bool: Bool? { if case let .bool(v) = self { v } else { nil } }
    var string: String? { if case let .string(v) = self { v } else { nil } }
}
