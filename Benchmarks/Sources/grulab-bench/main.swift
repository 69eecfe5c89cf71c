// GRULab's side of `scripts/bench`: times one benchmark over a list of configurations and
// prints one JSON line per configuration, which the script joins with PyTorch's side
// (`scripts/bench_pytorch.py`, same arguments, same benchmark names).
//
//     grulab-bench --bench gru-train --configs 2,128,64,1000 8,64,16,100 \
//                  [--threads 2] [--warmup 3] [--min-steps 5] [--min-seconds 2]
//
// A configuration is `I,H,N,T` (input size, hidden size, batch, steps), or for a convolutional
// cell `C_in,H_c,S,k,N,T` (input and hidden channels, S x S feature maps, k x k kernels). Each
// configuration
// runs `warmup` untimed steps, then timed steps until both `min-steps` and `min-seconds` are
// reached; the reported number is the median step time in milliseconds. A benchmark that
// counts its FLOPs (`gru-train`, `lstm-train`, `gru-eval`, `convgru-train`) also reports them
// (`gflop`, per step) and the sgemm rate of its per-step recurrent GEMM, measured right after
// its steps (`sgemm_gflops`). Every configuration reports the peak memory of its steps
// (`peak_mb`, see `stepPeakMegabytes`).

import Foundation
import GRULabAutodiff
import GRULabCells
import GRULabTensor

/// One benchmark configuration: input size, hidden size, batch, time steps; for a
/// convolutional cell the sizes are channels over `map`.
struct Config: CustomStringConvertible {
    var input: Int, hidden: Int, batch: Int, steps: Int
    var map: FeatureMap?

    init?(_ text: String) {
        let parts = text.split(separator: ",").compactMap { Int($0) }
        guard parts.count == 4 || parts.count == 6, parts.allSatisfy({ $0 > 0 }) else { return nil }
        (input, hidden, batch, steps) = (parts[0], parts[1], parts[parts.count - 2], parts[parts.count - 1])
        map = parts.count == 6 ? FeatureMap(height: parts[2], width: parts[2], kernelSize: parts[3]) : nil
    }

    /// The flat sizes a cell sees: `C` and `H`, times `S·S` for a convolutional cell.
    var inputFeatures: Int { input * (map?.pixels ?? 1) }
    var hiddenFeatures: Int { hidden * (map?.pixels ?? 1) }

    var description: String {
        let sizes = [input, hidden] + (map.map { [$0.height, $0.kernelSize] } ?? []) + [batch, steps]
        return "[" + sizes.map(String.init).joined(separator: ", ") + "]"
    }
}

/// Something to time: `run()` is one step of the benchmarked work.
protocol BenchmarkStep: AnyObject {
    func run() throws
    /// The useful floating-point operations of one step, when the benchmark counts them.
    var flops: Double? { get }
    /// The per-step recurrent GEMM, `[m, k] x [k, n]`, whose sgemm rate is the step's ceiling.
    var recurrentGEMM: (m: Int, n: Int, k: Int)? { get }
}

extension BenchmarkStep {
    var flops: Double? { nil }
    var recurrentGEMM: (m: Int, n: Int, k: Int)? { nil }
}

/// One training step of a one-layer network of a cell or preset of `registry`: forward over
/// `[T, N, I]` in training mode (a preset's zoneout or dropout masks active, fresh each
/// step), backward from `dL/doutput = g` (the loss `sum(output * g)` for a fixed random `g`),
/// and plain SGD on every parameter. `h_0` is omitted (zeros). With `loggingHiddenGradients`,
/// backward records `||dL/dh_t||` at every step (`GradientNormRecorder`), as a run does at
/// every `log.grad_h_every`-th step.
final class TrainStep: BenchmarkStep {
    var network: RecurrentNetwork<Float>
    let input: Tensor<Float>
    let outputGradient: Tensor<Float>
    let learningRate: Float
    var generator: SeededGenerator
    let flops: Double?
    let recurrentGEMM: (m: Int, n: Int, k: Int)?
    let loggingHiddenGradients: Bool

    /// `gates`: the number of `H`-wide blocks of the cell's weights (3 for a GRU), when the
    /// step should count its FLOPs (see `stepFLOPs`).
    init(cell: String, config c: Config, countingGates gates: Int? = nil, learningRate: Float = 1e-4,
         loggingHiddenGradients: Bool = false, registry: CellRegistry = .builtIn) throws {
        var generator = SeededGenerator(seed: 1)
        network = try registry.makeNetwork(cell: cell, inputSize: c.inputFeatures, hiddenSize: c.hiddenFeatures,
                                           options: CellOptions(featureMap: c.map), using: &generator)
        let inputCount = c.steps * c.batch * c.inputFeatures, outputCount = c.steps * c.batch * c.hiddenFeatures
        input = Tensor(shape: [c.steps, c.batch, c.inputFeatures],
                       scalars: (0..<inputCount).map { _ in generator.uniform(-1, 1) })
        outputGradient = Tensor(shape: [c.steps, c.batch, c.hiddenFeatures],
                                scalars: (0..<outputCount).map { _ in generator.uniform(-1, 1) })
        self.learningRate = learningRate
        self.generator = generator
        self.loggingHiddenGradients = loggingHiddenGradients
        flops = gates.map { stepFLOPs(c, gates: $0, training: true) }
        recurrentGEMM = gates.map { recurrentProduct(c, gates: $0) }
    }

    func run() throws {
        let forward = try network.forward(input, training: true, generator: &generator)
        let gradients: RecurrentNetwork<Float>.Gradients
        if loggingHiddenGradients {
            var recorder = GradientNormRecorder<Float>(layers: 1, directions: 1, steps: input.shape[0])
            gradients = network.backward(forward, outputGradient: outputGradient, observer: &recorder)
            precondition(recorder.norms[0].allSatisfy(\.isFinite))
        } else {
            var observer = NoBackwardObserver<Float>()
            gradients = network.backward(forward, outputGradient: outputGradient, observer: &observer)
        }
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

/// Evaluation: `RecurrentNetwork.evaluate`, the forward pass that saves nothing for backward
/// (a preset's modifiers would be in their evaluation form).
final class EvalStep: BenchmarkStep {
    let network: RecurrentNetwork<Float>
    let input: Tensor<Float>
    let flops: Double?
    let recurrentGEMM: (m: Int, n: Int, k: Int)?

    init(cell: String, config c: Config, countingGates gates: Int? = nil) throws {
        var generator = SeededGenerator(seed: 1)
        network = try CellRegistry.builtIn.makeNetwork(cell: cell, inputSize: c.input, hiddenSize: c.hidden,
                                                       using: &generator)
        input = Tensor(shape: [c.steps, c.batch, c.input],
                       scalars: (0..<c.steps * c.batch * c.input).map { _ in generator.uniform(-1, 1) })
        flops = gates.map { stepFLOPs(c, gates: $0, training: false) }
        recurrentGEMM = gates.map { recurrentProduct(c, gates: $0) }
    }

    func run() throws {
        _ = try network.evaluate(input)
    }
}

/// The useful FLOPs of one step of a one-layer cell whose weights are `gates` blocks of `H`
/// rows (3 for a GRU): the matrix products only, elementwise work and biases not counted.
///   forward:  input GEMM `2*T*N*I*gH` + recurrent GEMMs `2*T*N*H*gH`, `2*T*N*gH*(I+H)` in all;
///   backward: dX `2*T*N*gH*I`, dW_ih `2*T*N*gH*I`, dh `2*T*N*gH*H`, dW_hh `2*T*N*gH*H`,
///             twice the forward's;
/// a training step `6*T*N*gH*(I+H)` (`18*T*N*H*(I+H)` for a GRU), an evaluation the forward's.
/// A convolutional cell's products are the same with `N·S²` rows and `k²` times the inner
/// dimension: `6*T*N*S²*gH_c*k²*(C_in+H_c)`. docs/benchmarks.md has the same.
func stepFLOPs(_ c: Config, gates: Int, training: Bool) -> Double {
    let rows = Double(c.batch * (c.map?.pixels ?? 1))
    let area = Double(c.map.map { $0.kernelSize * $0.kernelSize } ?? 1)
    let (t, i, h) = (Double(c.steps), Double(c.input), Double(c.hidden))
    let forward = 2 * t * rows * Double(gates) * h * area * (i + h)
    return training ? 3 * forward : forward
}

/// The per-step recurrent product, `[m, k] x [k, n]`: `[N, H] x [H, gH]`, or for a convolution
/// `[gH_c, H_c·k²] x [H_c·k², N·S²]`.
func recurrentProduct(_ c: Config, gates: Int) -> (m: Int, n: Int, k: Int) {
    c.map.map { (m: gates * c.hidden, n: c.batch * $0.pixels, k: c.hidden * $0.kernelSize * $0.kernelSize) }
        ?? (m: c.batch, n: gates * c.hidden, k: c.hidden)
}

/// A memory field of `/proc/self/status` (`VmRSS`, `VmHWM`), in kB; `nil` where there is none.
func residentKilobytes(_ field: String) -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Double(line.split(separator: " ").dropFirst().first ?? "")
    }
    return nil
}

/// Resets `VmHWM` to the current resident size (writing 5 to `/proc/self/clear_refs`) and
/// returns that size in kB.
func resetPeakMemory() -> Double? {
    _ = FileManager.default.createFile(atPath: "/proc/self/clear_refs", contents: Data("5".utf8))
    return residentKilobytes("VmRSS")
}

/// The peak resident memory of the steps since `resetPeakMemory()` returned `baseline`, in MB:
/// Linux's high-water mark (`VmHWM`) after them minus the resident size before, so that what
/// the process held before (the runtime, the model, the data) is not counted. PyTorch's side
/// measures it the same way.
func stepPeakMegabytes(since baseline: Double?) -> Double? {
    guard let baseline, let peak = residentKilobytes("VmHWM") else { return nil }
    return (peak - baseline) / 1024
}

/// The rate of `Float.gemm` on `[m, k] x [k, n]` (no transposes, `beta = 0`), in GFLOP/s, on
/// the BLAS threads already set: batches of calls of about 10 ms each, for about `seconds`
/// and at least 5 batches; the fastest batch, since it is the ceiling of the step's own GEMMs
/// and anything else running on the machine only lowers it.
func sgemmRate(m: Int, n: Int, k: Int, seconds: Double) -> Double {
    var generator = SeededGenerator(seed: 2)
    let a = (0..<m * k).map { _ -> Float in generator.uniform(-1, 1) }
    let b = (0..<k * n).map { _ -> Float in generator.uniform(-1, 1) }
    var c = [Float](repeating: 0, count: m * n)
    let flopsPerCall = 2 * Double(m) * Double(n) * Double(k)
    return a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                func calls(_ count: Int) -> Double {
                    let t0 = clock.now
                    for _ in 0..<count {
                        Float.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k,
                                   alpha: 1, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                                   beta: 0, c: c.baseAddress!, ldc: n)
                    }
                    return (clock.now - t0).seconds
                }
                // Warm up, and size a batch to about 10 ms.
                var perBatch = 1
                while calls(perBatch) < 0.01 { perBatch *= 2 }
                var rates: [Double] = []
                let start = clock.now
                while rates.count < 5 || (clock.now - start).seconds < seconds {
                    rates.append(flopsPerCall * Double(perBatch) / calls(perBatch) / 1e9)
                }
                return rates.max()!
            }
        }
    }
}

func median(_ values: [Double]) -> Double {
    let v = values.sorted()
    return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// The built-in cells and `custom-gru` (gru's equations as a custom cell, GRULabAutodiff).
let customCells = CellRegistry(CellRegistry.builtIn.descriptors + [.customGRU])

/// The benchmarks by name; PyTorch's side has the same names, and `scripts/bench` lists them.
/// Add a row on all three to add a benchmark.
let benchmarks: [String: (Config) throws -> any BenchmarkStep] = [
    "gru-train": { try TrainStep(cell: "gru", config: $0, countingGates: 3) },
    "lstm-train": { try TrainStep(cell: "lstm", config: $0, countingGates: 4) },
    "gru-eval": { try EvalStep(cell: "gru", config: $0, countingGates: 3) },
    "gru-train-logged": { try TrainStep(cell: "gru", config: $0, loggingHiddenGradients: true) },
    "mingru-train": { try TrainStep(cell: "mingru", config: $0) },
    "zoneout-gru-train": { try TrainStep(cell: "zoneout-gru", config: $0) },
    "variational-gru-train": { try TrainStep(cell: "variational-gru", config: $0) },
    "custom-gru-train": { try TrainStep(cell: "custom-gru", config: $0, registry: customCells) },
    "convgru-train": { try TrainStep(cell: "convgru", config: $0, countingGates: 3) },
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
            guard let config = Config(arguments.removeFirst()) else {
                fail("a configuration is I,H,N,T or C_in,H_c,S,k,N,T, got \(next)")
            }
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
MemoryPolicy.retainFreedMemory()  // as grulab does: training steps reuse their freed buffers
let clock = ContinuousClock()
for config in configs {
    let step = try makeStep(config)
    let residentBefore = resetPeakMemory()
    for _ in 0..<warmup { try step.run() }
    var times: [Double] = []
    let start = clock.now
    while times.count < minSteps || (clock.now - start).seconds < minSeconds {
        let t0 = clock.now
        try step.run()
        times.append((clock.now - t0).seconds * 1e3)
    }
    var extra = stepPeakMegabytes(since: residentBefore).map { #", "peak_mb": \#($0)"# } ?? ""
    if let flops = step.flops, let shape = step.recurrentGEMM {
        let rate = sgemmRate(m: shape.m, n: shape.n, k: shape.k, seconds: min(max(minSeconds / 4, 0.2), 0.5))
        extra += #", "gflop": \#(flops / 1e9), "sgemm_shape": [\#(shape.m), \#(shape.k), \#(shape.n)], "#
            + #""sgemm_gflops": \#(rate)"#
    }
    print(#"{"side": "grulab", "bench": "\#(benchName)", "config": \#(config), "#
        + #""stat": "median", "ms": \#(median(times)), "steps": \#(times.count), "warmup": \#(warmup), "threads": \#(threads)"#
        + extra + "}")
    fflush(nil)  // all streams: the script reads lines as they come
}
