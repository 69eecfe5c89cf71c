import Foundation

/// The version of the results schema (docs/results-schema.md), stored as the root attribute
/// `schema_version` of every run file and index file. Raised on any change a reader must know of.
public enum ResultsSchema {
    public static let version = 1

    /// When set, ``open(_:mode:check:)`` has every file read whole in a child process first, so that
    /// a file damaged in a way that crashes or hangs the HDF5 library is an error naming it.
    /// The command line sets it once, before any file is opened; a program with no child to
    /// start (the tests, a library user) leaves it `nil` and reads in its own process.
    nonisolated(unsafe) public static var check: ResultsFileCheck?

    /// Opens a run or index file after checking that it is one this version reads, so that a
    /// file that is not says so by name rather than as a failure deep in the HDF5 library.
    ///
    /// - Throws: ``HDF5Error/cannotOpen(file:reason:)`` when the file is missing, a directory or
    ///   not readable; ``HDF5Error/notResults(file:reason:)`` when it is empty, not HDF5,
    ///   truncated, corrupted, lacks `schema_version`, or has a newer one than ``version``;
    ///   ``HDF5Error/damaged(file:reason:)`` when the HDF5 library crashed or hung reading it
    ///   in the child process of `check`.
    /// - Parameter check: has the file read in a child process first; `nil` for a file this
    ///   process has just written, or had read whole a moment ago.
    public static func open(_ path: String, mode: HDF5File.Mode,
                            check: ResultsFileCheck? = ResultsSchema.check) throws -> HDF5File {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw HDF5Error.cannotOpen(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw HDF5Error.cannotOpen(file: path, reason: "is a directory") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard size != 0 else { throw HDF5Error.notResults(file: path, reason: "the file is empty") }
        try check?.check(path, mode: mode)
        return try openInThisProcess(path, mode: mode)
    }

    /// ``open(_:mode:check:)`` after the checks that need no HDF5: the library opens the file and
    /// reads its `schema_version`.
    static func openInThisProcess(_ path: String, mode: HDF5File.Mode) throws -> HDF5File {
        let file: HDF5File
        do {
            file = try HDF5File(opening: path, mode: mode)
        } catch let HDF5Error.cannotOpen(_, reason) {
            throw Self.openError(path, reason)
        }
        let version: AttributeValue
        do {
            version = try file.attribute("schema_version")
        } catch HDF5Error.notFound {
            throw HDF5Error.notResults(file: path, reason: "it has no schema_version attribute (another program wrote it)")
        } catch let HDF5Error.failed(_, _, _, reason) {
            throw HDF5Error.notResults(file: path, reason: "it is corrupted (reading its schema_version: \(reason))")
        }
        guard case let .int(number) = version, number >= 1 else {
            throw HDF5Error.notResults(file: path, reason: "its schema_version is \(version), not a version number")
        }
        guard number <= Self.version else {
            throw HDF5Error.notResults(
                file: path, reason: "a newer GRULab wrote it (results schema version \(number); this one reads "
                    + "versions up to \(Self.version)): read it with that GRULab or a later one")
        }
        return file
    }

    /// What an HDF5 open failure means for a results file, in words.
    private static func openError(_ path: String, _ reason: String) -> HDF5Error {
        if reason.contains("file signature not found") {
            return .notResults(file: path, reason: "it is not an HDF5 file")
        }
        if reason.contains("truncated file") {
            // "truncated file: eof = 14418, sblock->base_addr = 0, stored_eof = 28837"
            func number(after label: String) -> String? {
                reason.range(of: label).map { String(reason[$0.upperBound...].prefix { $0.isNumber }) }
            }
            let sizes = number(after: "eof = ").flatMap { eof in number(after: "stored_eof = ").map { (eof, $0) } }
            return .notResults(file: path, reason: "it is truncated"
                + (sizes.map { ": \($0.0) bytes of the \($0.1) it was written with" } ?? " (\(reason))"))
        }
        if reason.contains("checksum") {
            return .notResults(file: path, reason: "it is corrupted (\(reason))")
        }
        if let range = reason.range(of: "error message = '") {
            return .cannotOpen(file: path, reason: String(reason[range.upperBound...].prefix { $0 != "'" }))
        }
        return .notResults(file: path, reason: "HDF5 cannot open it (\(reason))")
    }
}
