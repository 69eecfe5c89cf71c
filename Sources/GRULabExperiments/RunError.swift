/// Why a run could not start or continue (as opposed to a run that failed while training,
/// which records `failed: <reason>` in its file).
public enum RunError: Error, CustomStringConvertible, Equatable {
    case unsupported(key: String, reason: String)
    case exists(path: String)
    /// A checkpoint that cannot be written.
    case checkpoint(path: String, reason: String)
    /// A run `--resume` cannot continue; `reason` names the file and what to do, and the run's
    /// files are left as they were.
    case cannotResume(run: String, reason: String)
    /// Another process holds the run's lock (``RunLock``): it is writing the run, which is left
    /// to it.
    case busy(run: String, path: String, holder: String)
    /// The experiment's index cannot take a finished run; the run files are intact.
    case index(path: String, reason: String)
    case selection(String)

    public var description: String {
        switch self {
        case let .unsupported(key, reason): "\(key): \(reason)"
        case let .exists(path):
            "\(path) exists from an earlier run; pass --resume to continue it (completed runs are kept), or remove it"
        case let .checkpoint(path, reason): "cannot write the checkpoint \(path): \(reason)"
        case let .cannotResume(run, reason): "cannot resume run '\(run)': \(reason)"
        case let .busy(run, path, holder):
            "run '\(run)': \(path) is being written by \(holder); left to it (run again with --resume once it has "
                + "finished)"
        case let .index(path, reason):
            "cannot record the run in \(path): \(reason); the run files are intact: remove \(path) and run "
                + "again with --resume to rebuild it"
        case let .selection(reason): reason
        }
    }
}
