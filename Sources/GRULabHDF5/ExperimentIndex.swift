import Foundation

/// The `index.h5` of an experiment: one group per run, `/runs/<name>`, holding the run's
/// varied hyper-parameters as attributes and an external link `run` to the run's file, so that
/// `h5py.File("index.h5")["runs/<name>/run/metrics/train_loss"]` reads across the sweep.
public enum ExperimentIndex {
    /// Adds (or replaces) a run in the index at `indexPath`, creating the index if needed. An
    /// existing index that is not one this version reads is left as it is, and the error says
    /// why (``ResultsSchema/open(_:mode:check:)``).
    ///
    /// Safe when several processes finish at once: updates hold an exclusive `flock` on
    /// `<indexPath>.lock`. The link is relative when the run file lies below the index's
    /// directory, so an experiment directory can be moved or copied whole.
    public static func register(run runPath: String, as name: String,
                                hyperParameters: [String: AttributeValue],
                                in indexPath: String) throws {
        try FileLock(path: indexPath + ".lock").withLock {
            let index: HDF5File
            if FileManager.default.fileExists(atPath: indexPath) {
                index = try ResultsSchema.open(indexPath, mode: .readWrite)
            } else {
                index = try HDF5File.create(indexPath)
                try index.setAttribute("schema_version", .int(ResultsSchema.version))
            }
            let group = "/runs/\(name)"
            if index.exists(group) { try index.removeLink(group) }
            try index.createGroup(group)
            for (key, value) in hyperParameters.sorted(by: { $0.key < $1.key }) {
                try index.setAttribute(key, value, on: group)
            }
            try index.createExternalLink("\(group)/run", toFile: linkTarget(runPath, from: indexPath))
            try index.close()
        }
    }

    /// The names of the runs in an index, in name order.
    /// - Throws: ``HDF5Error/notResults(file:reason:)`` when the index is not one this version
    ///   reads (``ResultsSchema/open(_:mode:check:)``).
    public static func runNames(in indexPath: String) throws -> [String] {
        let index = try ResultsSchema.open(indexPath, mode: .readOnly)
        return index.exists("/runs") ? try index.memberNames(of: "/runs") : []
    }

    static func linkTarget(_ runPath: String, from indexPath: String) -> String {
        let run = URL(fileURLWithPath: runPath).standardizedFileURL.path
        let directory = URL(fileURLWithPath: indexPath).standardizedFileURL
            .deletingLastPathComponent().path
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return run.hasPrefix(prefix) ? String(run.dropFirst(prefix.count)) : run
    }
}
