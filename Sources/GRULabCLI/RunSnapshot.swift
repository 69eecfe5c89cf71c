import Foundation
import GRULabExperiments
import GRULabHDF5

/// Where one run file stands, as `grulab watch` shows it: read in SWMR mode, so a run being
/// written shows the rows flushed so far.
struct RunSnapshot {
    var name: String
    var status: String
    /// The last logged training step (0-based) and the run's number of steps, when known.
    var step: Int?
    var steps: Int?
    var loss: Double?
    var evalLoss: Double?
    /// Training steps a second over the last logged rows (up to ``speedWindow``).
    var stepsPerSecond: Double?
    /// The latest decay rate of ln ||dL/dh_t|| (layer 0) and the step it was recorded at.
    var decayRate: Double?

    /// Rows of `/metrics` the speed is measured over: recent enough to follow a run that
    /// slows down, enough to smooth a flush.
    static let speedWindow = 10

    /// A run whose file says `running` but was not written for this long has most likely
    /// been killed (the writer flushes every few seconds).
    static let stalledAfter: TimeInterval = 120

    /// Reads the run file at `path`; an unreadable file becomes a snapshot saying why.
    /// - Parameter check: has the file read in a child process first (``ResultsFileCheck``).
    init(path: String, knownCells: [String], check: ResultsFileCheck?, now: Date = Date()) {
        name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        do {
            let reader = try RunReader(path: path, check: check)
            status = try reader.status.description
            let yaml = try reader.stringAttribute("experiment_yaml")
            steps = (try? ExperimentSpec(yaml: yaml, file: path, knownCells: knownCells))?.runs.first?.train.steps
            let logged = try reader.steps(in: "metrics")
            step = logged.last
            let losses = try reader.series("train_loss", in: "metrics").values
            loss = losses.last
            evalLoss = try reader.series("loss", in: "eval").values.last
            let wall = try reader.series("wall_time", in: "metrics").values
            let first = max(0, logged.count - Self.speedWindow), last = logged.count - 1
            if last > first, wall[last] > wall[first] {
                stepsPerSecond = Double(logged[last] - logged[first]) / (wall[last] - wall[first])
            }
            if reader.file.exists("/gradients/decay_rate") {
                let rates = try reader.series("decay_rate", in: "gradients")
                let layers = rates.shape.count > 1 ? rates.shape[1] : 1
                decayRate = rates.values.count >= layers ? rates.values[rates.values.count - layers] : nil
            }
            if status == RunStatus.running.description,
               let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date,
               now.timeIntervalSince(modified) > Self.stalledAfter {
                status = "running (no write for \(Int(now.timeIntervalSince(modified))) s: killed?)"
            }
        } catch {
            status = Self.unreadable + "\(error)"
        }
    }

    /// How the status of a file that could not be read begins.
    static let unreadable = "unreadable: "

    /// Whether the run is still being written.
    var isRunning: Bool { status == RunStatus.running.description }

    /// The row of the watch table.
    var row: [String] {
        func number(_ x: Double?) -> String { x.map { $0.isNaN ? "-" : String(format: "%.4g", $0) } ?? "-" }
        let progress = step.map { step in steps.map { "\(step + 1)/\($0)" } ?? "\(step + 1)" } ?? "-"
        return [name, status, progress, number(loss), number(evalLoss),
                stepsPerSecond.map { String(format: "%.1f", $0) } ?? "-", number(decayRate)]
    }

    static let header = ["run", "status", "step", "loss", "eval loss", "steps/s", "decay rate"]
}
