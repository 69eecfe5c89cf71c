// GRULab's side of `scripts/bench`: times one benchmark over a list of configurations and
// prints one JSON line per configuration, which the script joins with PyTorch's side
// (`scripts/bench_pytorch.py`, same arguments, same benchmark names).
//
//     grulab-bench --bench gru-train --configs 2,128,64,1000 8,64,16,100 \
//                  [--threads 2] [--warmup 3] [--min-steps 5] [--min-seconds 2]
//
// A configuration is `I,H,N,T` (input size, hidden size, batch, steps). Each configuration
// runs `warmup` untimed steps, then timed steps until both `min-steps` and `min-seconds` are
// reached; the reported number is the median step time in milliseconds.

import Foundation
import GRULabCells
import GRULabTensor

/// One benchmark configuration: input size, hidden size, batch, time steps.
struct Config: CustomStringConvertible {
    var input: Int, hidden: Int, batch: Int, steps: Int

    init?(_ text: String) {
        let parts = text.split(separator: ",").compactMap { Int($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 > 0 }) else { return nil }
        (input, hidden, batch, steps) = (parts[0], parts[1], parts[2], parts[3])
    }

    var description: String { "[\(input), \(hidden), \(batch), \(steps)]" }
}

/// Something to time: `run()` is one step of the benchmarked work.
protocol BenchmarkStep: AnyObject {
    func run() throws
}

/// One training step of a one-layer network of a registered cell: forward over `[T, N, I]`,
/// backward from `dL/doutput = g` (the loss `sum(output * g)` for a fixed random `g`), and
/// plain SGD on every parameter. `h_0` is omitted (zeros).
final class TrainStep: BenchmarkStep {
    var network: RecurrentNetwork<Float>
    let input: Tensor<Float>
    let outputGradient: Tensor<Float>
    let learningRate: Float
    var generator: SeededGenerator

    init(cell: String, config c: Config, learningRate: Float = 1e-4) throws {
        var generator = SeededGenerator(seed: 1)
        network = try CellRegistry.builtIn.makeNetwork(cell: cell, inputSize: c.input, hiddenSize: c.hidden,
                                                       using: &generator)
        let inputCount = c.steps * c.batch * c.input, outputCount = c.steps * c.batch * c.hidden
        input = Tensor(shape: [c.steps, c.batch, c.input],
                       scalars: (0..<inputCount).map { _ in generator.uniform(-1, 1) })
        outputGradient = Tensor(shape: [c.steps, c.batch, c.hidden],
                                scalars: (0..<outputCount).map { _ in generator.uniform(-1, 1) })
        self.learningRate = learningRate
        self.generator = generator
    }

    func run() throws {
        let forward = try network.forward(input, generator: &generator)
        var observer = NoBackwardObserver<Float>()
        let gradients = network.backward(forward, outputGradient: outputGradient, observer: &observer)
        var parameters = network.parameters
        let alpha = -learningRate
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.parameters.withUnsafeBufferPointer { g in
                Float.axpy(count: p.count, alpha: alpha, x: g.baseAddress!, y: p.baseAddress!)
            }
        }
        network.parameters = parameters
    }
}

/// The benchmarks by name; PyTorch's side has the same names. Add a row on both sides to add a
/// benchmark (e.g. `"lstm-train": { try TrainStep(cell: "lstm", config: $0) }`).
let benchmarks: [String: (Config) throws -> any BenchmarkStep] = [
    "gru-train": { try TrainStep(cell: "gru", config: $0) },
]

// MARK: - Command line

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("grulab-bench: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var benchName = "gru-train"
var configs: [Config] = []
var threads = 2, warmup = 3, minSteps = 5
var minSeconds = 2.0
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    func value() -> String {
        guard !arguments.isEmpty else { fail("\(flag) needs a value") }
        return arguments.removeFirst()
    }
    func integer() -> Int {
        let text = value()
        guard let n = Int(text), n >= 0 else { fail("\(flag) needs a non-negative integer, got \(text)") }
        return n
    }
    switch flag {
    case "--bench": benchName = value()
    case "--configs":
        while let next = arguments.first, !next.hasPrefix("--") {
            guard let config = Config(arguments.removeFirst()) else { fail("a configuration is I,H,N,T, got \(next)") }
            configs.append(config)
        }
    case "--threads": threads = integer()
    case "--warmup": warmup = integer()
    case "--min-steps": minSteps = max(1, integer())
    case "--min-seconds":
        let text = value()
        guard let s = Double(text), s >= 0 else { fail("--min-seconds needs a number, got \(text)") }
        minSeconds = s
    default: fail("unknown option \(flag)")
    }
}
guard let makeStep = benchmarks[benchName] else {
    fail("unknown benchmark \(benchName); known: \(benchmarks.keys.sorted().joined(separator: ", "))")
}
guard !configs.isEmpty else { fail("no configurations (--configs I,H,N,T ...)") }

// MARK: - Timing

setBLASThreads(threads)
let clock = ContinuousClock()
for config in configs {
    let step = try makeStep(config)
    for _ in 0..<warmup { try step.run() }
    var times: [Double] = []
    let start = clock.now
    while times.count < minSteps || (clock.now - start) < .seconds(minSeconds) {
        let t0 = clock.now
        try step.run()
        let elapsed = clock.now - t0
        times.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15)
    }
    times.sort()
    let median = times.count % 2 == 1 ? times[times.count / 2]
        : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    print(#"{"side": "grulab", "bench": "\#(benchName)", "config": \#(config), "#
        + #""stat": "median", "ms": \#(median), "steps": \#(times.count), "warmup": \#(warmup), "threads": \#(threads)}"#)
    fflush(nil)  // all streams: the script reads lines as they come
}
