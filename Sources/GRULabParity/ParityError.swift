/// Why a parity fixture could not be checked (as opposed to a check that failed).
public enum ParityError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case missingKey(file: String, key: String)
    case invalidValue(file: String, key: String, expected: String)
    case unknownCell(file: String, cell: String, known: [String])

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the fixture: \(reason)"
        case let .missingKey(file, key): "\(file): missing key '\(key)'"
        case let .invalidValue(file, key, expected): "\(file): key '\(key)': expected \(expected)"
        case let .unknownCell(file, cell, known):
            "\(file): unknown cell '\(cell)'; known cells: \(known.joined(separator: ", "))"
        }
    }
}
