/// Reads a run file written by `RunWriter`, finished or still being written.
public final class RunReader {
    /// The underlying file, for anything the schema accessors below do not cover.
    public let file: HDF5File

    /// Opens a run file in SWMR-read mode, which reads a finished file, follows one still being
    /// written (every read sees the rows flushed so far), and opens one whose writer was killed
    /// or ran out of space: a plain read-only open refuses those, as their superblock still says
    /// "open for writing".
    ///
    /// - Throws: ``HDF5Error/notResults(file:reason:)`` naming the file when it is not a run
    ///   file this version reads: empty, not HDF5, truncated, corrupted, another program's, an
    ///   index, or written by a newer GRULab (``ResultsSchema/open(_:mode:check:)``);
    ///   ``HDF5Error/cannotOpen(file:reason:)`` when it is missing or unreadable;
    ///   ``HDF5Error/damaged(file:reason:)`` when the HDF5 library crashed or hung reading it in
    ///   the child process of `check`.
    /// - Parameter check: has the file read in a child process first (``ResultsFileCheck``);
    ///   `nil` for a file this process has just written, or had read whole a moment ago.
    public init(path: String, check: ResultsFileCheck? = ResultsSchema.check) throws {
        file = try ResultsSchema.open(path, mode: .swmrRead, check: check)
        guard file.exists("/metrics"), (try? file.attribute("status")) != nil else {
            throw HDF5Error.notResults(file: path, reason: "it has no status attribute or /metrics group: not a run file")
        }
    }

    /// The `schema_version` root attribute.
    public var schemaVersion: Int {
        get throws {
            guard case .int(let version) = try file.attribute("schema_version") else {
                throw HDF5Error.typeMismatch(file: file.path, object: "/@schema_version",
                                             expected: "an integer", found: "another type")
            }
            return version
        }
    }

    /// The `status` root attribute. A killed run still says `running`.
    public var status: RunStatus {
        get throws {
            let stored = try stringAttribute("status")
            guard let status = RunStatus(stored) else {
                throw HDF5Error.typeMismatch(file: file.path, object: "/@status",
                                             expected: "running, completed or failed: <reason>",
                                             found: "'\(stored)'")
            }
            return status
        }
    }

    /// A string root attribute such as `git_commit` or `experiment_yaml`.
    public func stringAttribute(_ name: String) throws -> String {
        guard case .string(let text) = try file.attribute(name) else {
            throw HDF5Error.typeMismatch(file: file.path, object: "/@\(name)", expected: "a string",
                                         found: "another type")
        }
        return text
    }

    /// The logged steps of a group, e.g. `steps(in: "metrics")`.
    public func steps(in group: String) throws -> [Int] {
        try file.readDataset("/\(group)/step", as: Int64.self).values.map { Int($0) }
    }

    /// One series, e.g. `series("train_loss", in: "metrics")`, with shape `[step] + dimensions`.
    ///
    /// A group's rows are appended and flushed before its steps (``RunWriter/flush()``), so a
    /// file being written, or killed in the middle of a flush, can have more rows than steps; the
    /// result is cut to the steps logged. It never has fewer: a series shorter than its steps is
    /// a corrupted file, an error, so that a caller may index the series by the steps.
    public func series(_ name: String, in group: String) throws -> HDF5Array<Double> {
        let stepCount = try steps(in: group).count
        var array = try file.readDataset("/\(group)/\(name)", as: Double.self)
        guard !array.shape.isEmpty, array.shape[0] >= stepCount else {
            throw HDF5Error.notResults(file: file.path, reason: "it is corrupted: /\(group)/\(name) has "
                                       + "\(array.shape.first ?? 0) rows for \(stepCount) steps")
        }
        let rowSize = array.shape.dropFirst().reduce(1, *)
        if array.shape[0] > stepCount {
            array.shape[0] = stepCount
            array.values.removeLast(array.values.count - stepCount * rowSize)
        }
        return array
    }
}
