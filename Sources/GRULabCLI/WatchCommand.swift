import ArgumentParser
import Foundation
import GRULabHDF5

/// `grulab watch DIR|FILE [--interval S] [--once]`
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow running runs: step, loss, speed and the latest decay rate, until they end.",
        discussion: """
            Reads the run files of an experiment directory (or one run file) in HDF5's SWMR mode \
            while grulab run writes them, and prints a table every --interval seconds: the run, \
            its status, the last logged step of its total, the training loss of that step, the \
            last evaluation loss, training steps a second over the last logged rows, and the \
            latest decay rate of ln ||dL/dh_t|| (layer 0). Plain text: on a terminal the screen \
            is redrawn with two ANSI codes (fine over ssh), otherwise each table follows the last. \
            Ends when no run is running any more (for a directory: and none has started for 3 seconds, the gap between two runs of a sweep); a file that says running but has not been \
            written for two minutes is shown as probably killed and does not hold the watch. \
            Exit status 0, or 2 when DIR|FILE does not exist.
            """)

    @Argument(help: "An experiment's results directory, or one run file (.h5).")
    var path: String

    @Option(help: "Seconds between refreshes.")
    var interval = 5.0

    @Flag(help: "Print one table and exit.")
    var once = false

    func validate() throws {
        if !(interval > 0) { throw ValidationError("--interval takes a number of seconds > 0; got \(interval)") }
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            printError("\(path): no such file or directory; expected an experiment's results directory or a run file")
            throw ExitCode(2)
        }
        let redraw = !once && isatty(STDOUT_FILENO) != 0
        // Between two runs of a sweep no run is running until the runner opens the next file,
        // so a directory counts as done only once nothing has run, and no file has appeared,
        // for `settle` seconds; a single run file is done as soon as it is.
        let settle = isDirectory.boolValue ? max(3, 2 * interval) : 0
        var quiet: (since: Date, files: [String])?
        // A file read whole in a child process once (ResultsSchema.check) is read here without
        // another child for as long as its size and modification time stay the same: a
        // finished run is checked once, a running one after each flush.
        var checked: Set<FileStamp> = []
        while true {
            let files = runFiles(isDirectory: isDirectory.boolValue)
            let snapshots = files.map { file in
                let stamp = FileStamp(file)
                let snapshot = RunSnapshot(path: file, knownCells: CLIContext.registry.names,
                                           check: stamp.map(checked.contains) == true ? nil : ResultsSchema.check)
                if let stamp, !snapshot.status.hasPrefix(RunSnapshot.unreadable) { checked.insert(stamp) }
                return snapshot
            }
            let ended = !snapshots.isEmpty && !snapshots.contains(where: \.isRunning)
            quiet = ended ? (quiet?.files == files ? quiet : (Date(), files)) : nil
            let done = quiet.map { Date().timeIntervalSince($0.since) >= settle } ?? false
            if redraw { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            print(table(snapshots))
            fflush(nil)
            if once || done { return }
            if !redraw { print("") }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// A file's path, size and modification time: equal stamps, equal bytes.
    private struct FileStamp: Hashable {
        let path: String
        let size: Int
        let modified: Date

        /// `nil` when the file cannot be looked at (gone since it was listed).
        init?(_ path: String) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date
            else { return nil }
            self.path = path
            self.size = size
            self.modified = modified
        }
    }

    /// The run files to show: `path` itself, or the `.h5` files of the directory but its index,
    /// in name order; read anew at each refresh, so runs that start later appear.
    private func runFiles(isDirectory: Bool) -> [String] {
        guard isDirectory else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { $0.hasSuffix(".h5") && $0 != "index.h5" }.sorted()
            .map { (path as NSString).appendingPathComponent($0) }
    }

    private func table(_ snapshots: [RunSnapshot]) -> String {
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false)
            .dateTimeSeparator(.space).timeZone(separator: .omitted))
        let running = snapshots.filter(\.isRunning).count
        let heading = "\(path)  \(time)  \(snapshots.count) runs, \(running) running"
        guard !snapshots.isEmpty else { return heading + "\nno run files yet" }
        return heading + "\n" + formatTable([RunSnapshot.header] + snapshots.map(\.row))
    }
}
