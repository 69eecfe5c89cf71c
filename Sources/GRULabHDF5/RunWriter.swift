import Foundation

/// Writes one run's results file (schema in docs/results-schema.md), readable while it grows.
///
/// Creation writes the metadata attributes, creates every series of the layout, flushes, and
/// switches the file to SWMR mode, so `HDF5File(opening:mode: .swmrRead)` or
/// `h5py.File(path, "r", swmr=True)` can follow the run. Rows are flushed at `flushInterval`;
/// a process killed at any point leaves a file holding every row flushed before.
///
/// HDF5 1.10 cannot write attributes in SWMR mode, so `finish(_:)` closes the file (ending SWMR)
/// and reopens it read-write to set `status` and `finished_at`. Until then `status` says
/// `running`, which is also what a killed run leaves.
public final class RunWriter {
    public let path: String
    public let layout: RunLayout
    /// How long rows may stay in memory before they are flushed; zero flushes every row.
    public let flushInterval: Duration
    private var file: HDF5File?
    private let clock = ContinuousClock()
    private var lastFlush: ContinuousClock.Instant

    /// Creates the file at `path`; an existing file is an error unless `overwrite`.
    public init(path: String, metadata: RunMetadata, layout: RunLayout,
                flushInterval: Duration = .seconds(10), overwrite: Bool = false) throws {
        self.path = path
        self.layout = layout
        self.flushInterval = flushInterval
        lastFlush = clock.now
        let file = try HDF5File.create(path, overwrite: overwrite)
        self.file = file
        try writeMetadata(metadata, to: file)
        for group in layout.groups { try createGroup(group, in: file) }
        try file.flush()
        try file.startSWMRWrite()
    }

    deinit {
        try? file?.close()
    }

    private func writeMetadata(_ metadata: RunMetadata, to file: HDF5File) throws {
        let attributes: [(String, AttributeValue)] = [
            ("schema_version", .int(ResultsSchema.version)),
            ("grulab_version", .string(metadata.grulabVersion)),
            ("git_commit", .string(metadata.gitCommit)),
            ("git_dirty", .int(metadata.gitDirty ? 1 : 0)),
            ("seed", .int(metadata.seed)),
            ("experiment_yaml", .string(metadata.experimentYAML)),
            ("status", .string(RunStatus.running.description)),
            ("started_at", .string(iso8601(metadata.startedAt))),
            ("finished_at", .string("")),
            ("swift_version", .string(metadata.swiftVersion)),
            ("hdf5_version", .string(HDF5Library.version)),
            ("blas", .string(metadata.blas)),
        ]
        for (name, value) in attributes { try file.setAttribute(name, value) }
        if let baseline = metadata.baseline {
            try file.setAttribute("baseline_metric", .string(baseline.metric))
            try file.setAttribute("baseline", .double(baseline.value))
        }
    }

    private func createGroup(_ group: RunLayout.Group, in file: HDF5File) throws {
        let base = "/" + group.name
        try file.createGroup(base)
        try file.createExtendibleDataset("\(base)/step", of: Int64.self)
        try file.makeDimensionScale("\(base)/step", name: "step")
        var scales: [String: String] = [:]
        for series in group.series {
            let object = "\(base)/\(series.name)"
            let rowShape = series.dimensions.map(\.size)
            switch series.precision {
            case .float32: try file.createExtendibleDataset(object, of: Float.self, rowShape: rowShape)
            case .float64: try file.createExtendibleDataset(object, of: Double.self, rowShape: rowShape)
            }
            try file.attachDimensionScale("\(base)/step", to: object, dimension: 0)
            for (index, dimension) in series.dimensions.enumerated() {
                let scale = "\(base)/\(dimension.name)"
                if scales[dimension.name] == nil {
                    try file.writeDataset(scale, values: (0..<dimension.size).map { Int64($0) },
                                          shape: [dimension.size])
                    try file.makeDimensionScale(scale, name: dimension.name)
                    scales[dimension.name] = scale
                }
                try file.attachDimensionScale(scale, to: object, dimension: index + 1)
            }
        }
    }

    /// Appends one row to every series of `group`: `values` maps each series name to its row
    /// (one number for a 1-D series, `layer * t` numbers in row-major order for `dL_dh_norm`).
    /// Every series of the group must be given, so that all stay aligned with `step`.
    public func append(step: Int, to group: String, _ values: [String: [Double]]) throws {
        guard let file else { throw finishedError(group) }
        guard let declared = layout.groups.first(where: { $0.name == group }) else {
            throw HDF5Error.notFound(file: path, object: "/" + group)
        }
        let names = Set(declared.series.map(\.name))
        guard Set(values.keys) == names else {
            let missing = names.subtracting(values.keys).sorted()
            let unknown = Set(values.keys).subtracting(names).sorted()
            throw HDF5Error.invalidArgument(
                file: path, object: "/" + group,
                reason: "a row needs exactly the series of the group; missing \(missing), unknown \(unknown)")
        }
        for series in declared.series where values[series.name]!.count != series.rowSize {
            throw HDF5Error.invalidArgument(
                file: path, object: "/\(group)/\(series.name)",
                reason: "expected \(series.rowSize) values per step, got \(values[series.name]!.count)")
        }
        for series in declared.series {
            let object = "/\(group)/\(series.name)"
            let row = values[series.name]!
            if series.precision == .float32 {
                try file.append(row.map { Float($0) }, to: object)
            } else {
                try file.append(row, to: object)
            }
        }
        // The step goes last, here and in `flush()`: a reader that sees step k sees its values.
        try file.append([Int64(step)], to: "/\(group)/step")
        if clock.now - lastFlush >= flushInterval { try flush() }
    }

    /// One row of `/metrics`. `gradNorm` is the global norm before clipping; `wallTime` is
    /// seconds since the run started.
    public func logMetrics(step: Int, trainLoss: Double, gradNorm: Double, learningRate: Double,
                           wallTime: Double) throws {
        try append(step: step, to: "metrics", [
            "train_loss": [trainLoss], "grad_norm": [gradNorm],
            "learning_rate": [learningRate], "wall_time": [wallTime],
        ])
    }

    /// One row of `/eval`; `accuracy` must be given exactly when the layout has it.
    public func logEval(step: Int, loss: Double, accuracy: Double? = nil) throws {
        var row = ["loss": [loss]]
        if let accuracy { row["accuracy"] = [accuracy] }
        try append(step: step, to: "eval", row)
    }

    /// Writes every buffered row to disk now: each group's series first, its `step` last.
    ///
    /// A flush is many writes, a few per dataset, and a process killed between two of them
    /// leaves some datasets longer than others. A whole-file flush writes them in an order of
    /// HDF5's own, which left steps on disk without their values (`--resume` then refused a
    /// killed run as corrupted); in this order a killed file's series can only be ahead of their
    /// steps, rows a reader cuts, never behind.
    public func flush() throws {
        guard let file else { throw finishedError("/") }
        for group in layout.groups {
            for series in group.series { try file.flush("/\(group.name)/\(series.name)") }
            try file.flush("/\(group.name)/step")
        }
        try file.flush()
        lastFlush = clock.now
    }

    /// Ends the run: flushes, leaves SWMR mode, and records `status` and `finished_at`.
    /// The writer accepts no more rows afterwards.
    public func finish(_ status: RunStatus, at date: Date = Date()) throws {
        guard let file else { throw finishedError("/") }
        self.file = nil
        try file.flush()
        try file.close()
        let reopened = try HDF5File(opening: path, mode: .readWrite)
        try reopened.setAttribute("status", .string(status.description))
        try reopened.setAttribute("finished_at", .string(iso8601(date)))
        try reopened.close()
    }

    private func finishedError(_ object: String) -> HDF5Error {
        .failed(operation: "write", file: path, object: object, reason: "the run writer is finished")
    }
}
