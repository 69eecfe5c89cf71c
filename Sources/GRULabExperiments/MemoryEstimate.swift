import Foundation
import GRULabCells

/// The memory a run needs at its peak, estimated from its resolved settings before anything is
/// allocated, so that validation refuses a run that cannot fit (a hidden size of 10^7 is
/// petabytes of weights) instead of the run crashing when it allocates.
///
/// Three terms, in bytes; training runs in Float32 (4 bytes a number), task data is Float64 (8):
///
/// ```
/// parameters   4 · P · (2 + s)            weights, gradients, s optimizer slots (Adam and RMSprop 2, SGD 1)
/// activations  4 · T · N' · L · D · H · 8  what backward keeps a step: up to four gates, the cell
///                                         and the state, and the evaluation chunk's forward
/// data         8 · T · (N + 512) · C       a training batch and the 512-sequence evaluation set
/// ```
///
/// `P` counts the parameters of every layer and direction, from the cell's documented shapes
/// (``CellDescriptor/parameterShapes``; an LSTM's `4H·(C + H + 2)` for a cell it cannot read),
/// the input projection and the head. `T` is the task's sequence length, `N` the batch size,
/// `N' = max(N, 256)` (evaluation runs in chunks of 256), `L` layers, `D` directions, `H` the
/// hidden size, `C` the task's input size. A `sequences` task's length and data are in its
/// file and not counted.
struct MemoryEstimate: Equatable {
    var parameters: Double
    var activations: Double
    var data: Double

    var total: Double { parameters + activations + data }

    /// The sizes a run's memory grows with: the keys a refusal may blame.
    static let sizeKeys = ["model.hidden_size", "task.seq_len", "train.batch_size", "model.num_layers",
                           "model.input_projection", "task.vocab", "task.tokens"]

    /// The estimate for a run's resolved values (every key of the catalog that applies).
    init(_ values: [String: SettingValue]) {
        func size(_ key: String) -> Double { Double(values[key]?.int ?? 0) }
        let hidden = size("model.hidden_size"), layers = size("model.num_layers"), batch = size("train.batch_size")
        let directions: Double = values["model.bidirectional"]?.bool == true ? 2 : 1
        let task = values["task.name"]?.string ?? ""
        let (steps, input, outputs): (Double, Double, Double) = switch task {
        case "adding": (size("task.seq_len"), 2, 1)
        case "copy": (size("task.seq_len") + 20, 10, 10)
        case "selective-copy": (size("task.seq_len") + size("task.tokens"), size("task.vocab") + 2, size("task.vocab") + 1)
        case "spatial-recall": (size("task.seq_len"), size("task.size") * size("task.size"),
                                size("task.size") * size("task.size") / 4)
        default: (0, 1, 1)
        }
        // a convolutional cell's state is hidden_size channels over the task's frames
        let descriptor = try? CellRegistry.builtIn.descriptor(named: values["model.cell"]?.string ?? "")
        let state = descriptor?.convolutional == true && task == "spatial-recall"
            ? hidden * size("task.size") * size("task.size") : hidden
        let projection = values["model.input_projection"]?.int.map(Double.init)
        let shapes = descriptor?.parameterShapes
        let first = Self.parameterCount(shapes, input: projection ?? input, hidden: hidden)
        let later = Self.parameterCount(shapes, input: directions * hidden, hidden: hidden)
        let count = (projection.map { $0 * (input + 1) } ?? 0) + directions * (first + (layers - 1) * later)
            + (directions * state + 1) * outputs
        let slots: Double = values["train.optimizer"]?.string == "sgd" ? 1 : 2
        parameters = 4 * count * (2 + slots)
        activations = 4 * steps * max(batch, 256) * layers * directions * state * 8
        data = 8 * steps * (batch + 512) * input
    }

    /// The parameters of one layer and direction with `input` inputs, from shapes such as
    /// `[3H, C]` and `[H + C, H]`; an LSTM's when a shape is not of that form.
    static func parameterCount(_ shapes: [(name: String, shape: String)]?, input: Double, hidden: Double) -> Double {
        let lstm = 4 * hidden * (input + hidden + 2)
        guard let shapes else { return lstm }
        var total = 0.0
        for (_, shape) in shapes {
            guard shape.hasPrefix("["), shape.hasSuffix("]") else { return lstm }
            var product = 1.0
            for extent in shape.dropFirst().dropLast().split(separator: ",") {
                var sum = 0.0
                for term in extent.split(separator: "+") {
                    let term = term.trimmingCharacters(in: .whitespaces)
                    let digits = term.prefix { $0.isNumber }
                    let coefficient = digits.isEmpty ? 1 : Double(digits) ?? 1
                    switch term.dropFirst(digits.count) {
                    case "H": sum += coefficient * hidden
                    case "C": sum += coefficient * input
                    case "" where !digits.isEmpty: sum += coefficient
                    default: return lstm
                    }
                }
                product *= sum
            }
            total += product
        }
        return total
    }

    /// The memory runs may use: the machine's, or the control group's limit when lower (a
    /// Slurm job's or a container's).
    static let available: Double = {
        var bytes = Double(ProcessInfo.processInfo.physicalMemory)
        if let limit = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let value = Double(limit.trimmingCharacters(in: .whitespacesAndNewlines)) {
            bytes = min(bytes, value)
        }
        return bytes
    }()

    /// `1.2 PiB`, `512 MiB`: three significant digits in binary units.
    static func format(_ bytes: Double) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = bytes, unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.3g ", value) + units[unit]
    }

    /// Why a run (`run` names it in a sweep) does not fit: the estimate and its terms against
    /// the memory available.
    func problem(run: String?) -> String {
        (run.map { "run '\($0)'" } ?? "the run") + " needs about \(Self.format(total)) of memory (parameters \(Self.format(parameters)), "
            + "activations \(Self.format(activations)), data \(Self.format(data))); "
            + "this machine has \(Self.format(Self.available))"
    }

    /// The size key whose value, were it 1, would shrink the estimate most: where to look.
    static func blame(_ values: [String: SettingValue]) -> String {
        let total = MemoryEstimate(values).total
        return sizeKeys.filter { values[$0]?.int != nil }.max { a, b in
            func shrink(_ key: String) -> Double {
                var smaller = values
                smaller[key] = .int(1)
                return total / max(MemoryEstimate(smaller).total, 1)
            }
            return shrink(a) < shrink(b)
        } ?? "model.hidden_size"
    }
}
