// Writes run files the way the experiment runner will, for tests that need another process:
// one to kill, one with a file-size limit, several registering in one index at once, and a
// sample file for the Python tests. Values are closed-form in the step, so tests can check them.
//
//   HDF5WriterProbe sample PATH [STEPS]        a finished run: layers 2, T 8, accuracy, gates
//   HDF5WriterProbe crash PATH                 logs forever, printing `flushed N` after flushes
//   HDF5WriterProbe kill-in-flush PATH N       10 steps flushed, 10 more, killed at the N-th
//                                              write of their flush, or says `flushed in M writes`
//   HDF5WriterProbe fill PATH BYTES            RLIMIT_FSIZE = BYTES, logs until a write fails
//   HDF5WriterProbe index INDEX RUN NAME LR    registers RUN in INDEX with learning_rate = LR
//   HDF5WriterProbe check-results-file PATH MODE   the child of a ResultsFileCheck, as in grulab
import Foundation
import GRULabHDF5

let layers = 2
let timeSteps = 8
let parameters = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]

/// Unbuffered, so a parent reading the pipe sees each line before it kills this process.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func layout() -> RunLayout {
    var layout = RunLayout.standard(layers: layers, timeSteps: timeSteps, parameters: parameters,
                                    hasAccuracy: true)
    let layer = RunLayout.Dimension("layer", size: layers)
    layout.add(.init("decay_rate", dimensions: [layer]), to: "gradients")
    layout.add(.init("update_mean", dimensions: [layer], precision: .float32), to: "gates")
    layout.add(.init("update_saturated", dimensions: [layer], precision: .float32), to: "gates")
    return layout
}

func metadata() -> RunMetadata {
    RunMetadata(grulabVersion: "0.1.0", gitCommit: "0123456789abcdef0123456789abcdef01234567",
                gitDirty: true, seed: 7,
                experimentYAML: "name: adding\ncell: gru\nhidden: 32\nlearning_rate: 0.001\n",
                swiftVersion: "6.3.1", blas: "OpenBLAS 0.3.21",
                startedAt: Date(timeIntervalSince1970: 1_700_000_000),
                baseline: .init(metric: "mse", value: 1.0 / 6))
}

/// dL/dh_t norms that decay along t the way a vanishing gradient does, so figures look real.
func gradientRow(step: Int) -> [Double] {
    (0..<layers).flatMap { layer in
        (0..<timeSteps).map { t in Double(layer + 1) * pow(0.5, Double(timeSteps - 1 - t)) / Double(step + 1) }
    }
}

func logStep(_ writer: RunWriter, step: Int) throws {
    let s = Double(step)
    try writer.logMetrics(step: step, trainLoss: 1 / (s + 1), gradNorm: 2 / (s + 1),
                          learningRate: 0.001, wallTime: s * 0.5)
    var gradients: [String: [Double]] = ["dL_dh_norm": gradientRow(step: step),
                                         "decay_rate": [0.5, 0.25]]
    for (index, name) in parameters.enumerated() { gradients["param_grad_norm/\(name)"] = [Double(index) + s] }
    try writer.append(step: step, to: "gradients", gradients)
    try writer.append(step: step, to: "gates", ["update_mean": [0.5, 0.75], "update_saturated": [0.125, 0.25]])
    if step % 10 == 0 { try writer.logEval(step: step, loss: 1 / (s + 2), accuracy: s / (s + 1)) }
}

func sample(path: String, steps: Int) throws {
    let writer = try RunWriter(path: path, metadata: metadata(), layout: layout())
    for step in 0..<steps { try logStep(writer, step: step) }
    try writer.finish(.completed, at: Date(timeIntervalSince1970: 1_700_000_060))
}

/// Flushes every third step and says so, then keeps going until killed.
func crash(path: String) throws -> Never {
    let writer = try RunWriter(path: path, metadata: metadata(), layout: layout(), flushInterval: .seconds(3600))
    var step = 0
    while true {
        try logStep(writer, step: step)
        if step % 3 == 2 {
            try writer.flush()
            say("flushed \(step)")
        }
        step += 1
        usleep(2_000)
    }
}

/// Two flushes of 10 steps each, the second killed at its `write`-th write if it has as many.
func killInFlush(path: String, write: Int) throws {
    let writer = try RunWriter(path: path, metadata: metadata(), layout: layout(), flushInterval: .seconds(3600))
    for step in 0..<10 { try logStep(writer, step: step) }
    try writer.flush()
    for step in 10..<20 { try logStep(writer, step: step) }
    writesBeforeKill = write
    try writer.flush()
    say("flushed in \(write - writesBeforeKill!) writes")
    writesBeforeKill = nil  // closing the file at exit writes too
}

/// Writes incompressible rows with a file-size limit until a write fails, then reports it.
func fill(path: String, bytes: Int) throws {
    var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
    signal(SIGXFSZ, SIG_IGN)  // so write(2) fails with EFBIG instead of the signal killing us
    guard setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0 else { throw POSIXError(.EPERM) }
    var big = RunLayout()
    big.add(.init("noise", dimensions: [.init("x", size: 4096)]), to: "metrics")
    let writer = try RunWriter(path: path, metadata: metadata(), layout: big, flushInterval: .zero)
    var generator = SystemRandomNumberGenerator()
    var step = 0
    do {
        while true {
            // Random, so gzip cannot shrink it; the first value says which step wrote the row.
            let noise = [Double(step)] + (1..<4096).map { _ in Double.random(in: 0..<1, using: &generator) }
            try writer.append(step: step, to: "metrics", ["noise": noise])
            say("flushed \(step)")
            step += 1
        }
    } catch {
        say("error: \(error)")
        do {
            try writer.finish(.failed(reason: "\(error)"))
        } catch {
            say("finish: \(error)")
        }
        exit(1)
    }
}

let arguments = CommandLine.arguments.dropFirst().map { $0 }
do {
    switch arguments.first {
    case "sample" where arguments.count >= 2:
        try sample(path: arguments[1], steps: arguments.count > 2 ? Int(arguments[2]) ?? 30 : 30)
    case "crash" where arguments.count == 2:
        try crash(path: arguments[1])
    case "kill-in-flush" where arguments.count == 3:
        try killInFlush(path: arguments[1], write: Int(arguments[2]) ?? 0)
    case "fill" where arguments.count == 3:
        try fill(path: arguments[1], bytes: Int(arguments[2]) ?? 0)
    case "check-results-file" where arguments.count == 3:
        ResultsFileCheck.readInChild(arguments[1], mode: arguments[2])
    case "index" where arguments.count == 5:
        try ExperimentIndex.register(run: arguments[2], as: arguments[3],
                                     hyperParameters: ["learning_rate": .double(Double(arguments[4]) ?? 0)],
                                     in: arguments[1])
    default:
        FileHandle.standardError.write(Data("usage: see Tests/HDF5WriterProbe/main.swift\n".utf8))
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
