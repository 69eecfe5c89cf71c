import Foundation
import GRULabExperiments
import GRULabParity

// libFuzzer entry points: libFuzzer owns `main` (SwiftPM builds this module as a library under
// `--sanitize=fuzzer`), generates inputs guided by coverage, and reports any input that
// crashes, traps, leaks or runs past `-timeout` (docs/reliability.md). Every input must end in
// success or a typed error: the typed throws below make anything else a compile error, and
// `precondition` turns a broken property into a finding.

/// What the inputs are, from `GRULAB_FUZZ_TARGET`.
enum Target: String, CaseIterable {
    /// An experiment file's bytes.
    case experiment
    /// `key=value` overrides, one a line, applied to a valid file.
    case override
    /// A parity fixture's bytes, read and checked against its cell.
    case parity
}

nonisolated(unsafe) var target = Target.experiment

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    let name = ProcessInfo.processInfo.environment["GRULAB_FUZZ_TARGET"] ?? "experiment"
    guard let chosen = Target(rawValue: name) else {
        FileHandle.standardError.write(Data("grulab-fuzz: GRULAB_FUZZ_TARGET=\(name); known: \(Target.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    target = chosen
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    switch target {
    case .experiment:
        if let experiment = try? ExperimentSpec(data: data, file: "fuzz.yaml") { checkRoundTrip(experiment) }
    case .override:
        let overrides = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        if let experiment = try? ExperimentSpec(yaml: validFile, file: "fuzz.yaml", overrides: overrides) {
            checkRoundTrip(experiment)
        }
    case .parity:
        guard let fixture = try? ParityFixture(data: data, file: "fuzz.json") else { return 0 }
        _ = try? ParityCheck<Double>().run(fixture)
        _ = try? ParityCheck<Float>().run(fixture)
    }
    return 0
}

/// The file the overrides apply to.
let validFile = """
    name: fuzz
    task: {name: adding, seq_len: 10}
    model: {cell: gru, hidden_size: 4}
    sweep: {train.lr: [0.1, 0.01]}
    """

/// A valid experiment's runs, written back as YAML, load to the same runs.
func checkRoundTrip(_ experiment: ExperimentSpec) {
    for run in experiment.runs {
        let back = try? ExperimentSpec(yaml: run.yaml, file: "resolved.yaml").runs
        precondition(back?.count == 1, "run \(run.index) does not reload:\n\(run.yaml)")
        var reloaded = back![0]
        reloaded.index = run.index
        reloaded.varied = run.varied
        precondition(reloaded == run, "run \(run.index) reloads differently:\n\(run.yaml)")
    }
}
