/// Where a setting came from, for error messages: a line of the experiment file or a
/// command-line override.
public enum Origin: Sendable, Hashable, CustomStringConvertible {
    /// The file as a whole, for what has no line (a required key that is absent).
    case file(String)
    /// A line of the file, counted from 1.
    case line(file: String, line: Int)
    /// A `key=value` override, as typed.
    case override(String)

    /// `x.yaml`, `x.yaml:7` or `override 'train.lr=fast'`: the prefix of every message.
    public var description: String {
        switch self {
        case let .file(file): file
        case let .line(file, line): "\(file):\(line)"
        case let .override(text): "override '\(text)'"
        }
    }
}
