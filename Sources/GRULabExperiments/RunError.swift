/// Why a run could not start or continue (as opposed to a run that failed while training,
/// which records `failed: <reason>` in its file).
public enum RunError: Error, CustomStringConvertible, Equatable {
    case unsupported(key: String, reason: String)
    case exists(path: String)
    case checkpoint(reason: String)
    case selection(String)

    public var description: String {
        switch self {
        case let .unsupported(key, reason): "\(key): \(reason)"
        case let .exists(path):
            "\(path) exists from an earlier run; pass --resume to continue it (completed runs are kept), or remove it"
        case let .checkpoint(reason): "cannot resume: \(reason)"
        case let .selection(reason): reason
        }
    }
}
