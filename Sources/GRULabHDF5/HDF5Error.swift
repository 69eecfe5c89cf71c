/// A failure of the HDF5 layer, naming the file and the object it concerns.
///
/// The HDF5 library's own error stack is never printed; its innermost message (the one that
/// names the cause, such as a failed `write()` and its errno) is carried in `reason`.
public enum HDF5Error: Error, CustomStringConvertible, Equatable, Sendable, Codable {
    /// The file could not be created or opened.
    case cannotOpen(file: String, reason: String)
    /// Nothing exists at `object` in the file.
    case notFound(file: String, object: String)
    /// The object holds another kind of data than the caller asked for.
    case typeMismatch(file: String, object: String, expected: String, found: String)
    /// The caller passed values that do not fit the object, e.g. a wrong number of elements.
    case invalidArgument(file: String, object: String, reason: String)
    /// A write failed because the disk is full or the process hit its file-size limit.
    /// Everything flushed before the failure is still in the file.
    case outOfSpace(file: String, object: String, reason: String)
    /// Any other failure of the library while doing `operation`.
    case failed(operation: String, file: String, object: String, reason: String)
    /// The file is not a results file this GRULab reads: not HDF5, empty, truncated, corrupted,
    /// written by another program, or by a newer GRULab (`reason` says which).
    case notResults(file: String, reason: String)
    /// The HDF5 library crashed or hung reading the file, in the child process that reads a
    /// results file before this one opens it (``ResultsFileCheck``); `reason` says which.
    case damaged(file: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            return "cannot open HDF5 file '\(file)': \(reason)"
        case let .notFound(file, object):
            return "'\(object)' not found in HDF5 file '\(file)'"
        case let .typeMismatch(file, object, expected, found):
            return "'\(object)' in HDF5 file '\(file)' holds \(found), not \(expected)"
        case let .invalidArgument(file, object, reason):
            return "invalid data for '\(object)' in HDF5 file '\(file)': \(reason)"
        case let .outOfSpace(file, object, reason):
            return "no space left writing '\(object)' to HDF5 file '\(file)' (\(reason)); "
                + "data flushed before this point is intact"
        case let .failed(operation, file, object, reason):
            return "cannot \(operation) '\(object)' in HDF5 file '\(file)': \(reason)"
        case let .notResults(file, reason):
            return "'\(file)' is not a GRULab results file this version can read: \(reason)"
        case let .damaged(file, reason):
            return "'\(file)' could not be read: \(reason); the file is damaged"
        }
    }
}
