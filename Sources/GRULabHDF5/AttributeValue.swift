/// The value of an attribute: a number, a string, or a 1-D array of numbers.
///
/// Strings are written as variable-length UTF-8, which h5py reads as `str`; integers as 64-bit,
/// floating-point numbers as 64-bit. There is no boolean: HDF5 has no standard one, so flags are
/// stored as the integers 0 and 1.
public enum AttributeValue: Equatable, Sendable {
    case int(Int)
    case double(Double)
    case string(String)
    case ints([Int])
    case doubles([Double])

    var kind: String {
        switch self {
        case .int: return "an integer"
        case .double: return "a floating-point number"
        case .string: return "a string"
        case .ints: return "an integer array"
        case .doubles: return "a floating-point array"
        }
    }
}

extension AttributeValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral
{
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}
