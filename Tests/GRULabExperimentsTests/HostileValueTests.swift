import Foundation
import GRULabCells
@testable import GRULabExperiments
import GRULabTensor
import Testing

/// Values meant to break things: sizes no machine holds, NUL and non-UTF-8 bytes, values that
/// would be paths outside the results directory (docs/reliability.md).
@Suite struct HostileValueTests {
    /// The message up to the machine's memory, which differs between machines.
    func needs(_ yaml: String, _ overrides: [String] = []) -> [String] {
        messages(yaml, overrides).map { $0.components(separatedBy: "; this machine has ")[0] }
    }

    @Test func aHugeHiddenSizeIsRefusedWithTheMemoryItNeeds() {
        // P = 3H·2 + 3H·H + 6H (gru) + (H + 1) (head); 4 bytes × (weights, gradients, Adam's 2 slots).
        // Activations 4 · 100 · 256 · H · 8; data 8 · 100 · (32 + 512) · 2.
        #expect(needs(replacing(line: 7, with: "  hidden_size: 10000000")) == [
            "experiments/x.yaml:7: model.hidden_size: the run needs about 4.27 PiB of memory "
                + "(parameters 4.26 PiB, activations 7.45 TiB, data 850 KiB)",
        ])
        #expect(messages(replacing(line: 7, with: "  hidden_size: 10000000")).allSatisfy {
            $0.hasSuffix("; this machine has \(MemoryEstimate.format(MemoryEstimate.available))")
        })
    }

    @Test func aHugeSequenceLengthIsRefusedAndBlamed() {
        #expect(needs(replacing(line: 4, with: "  seq_len: 1e12")) == [
            "experiments/x.yaml:4: task.seq_len: the run needs about 65.9 PiB of memory "
                + "(parameters 4.64 KiB, activations 58.2 PiB, data 7.73 PiB)",
        ])
        #expect(needs(minimal, ["task.seq_len=1000000000000"]) == [
            "override 'task.seq_len=1000000000000': task.seq_len: the run needs about 65.9 PiB of memory "
                + "(parameters 4.64 KiB, activations 58.2 PiB, data 7.73 PiB)",
        ])
        #expect(messages(replacing(line: 4, with: "  seq_len: 1e30")) == [
            "experiments/x.yaml:4: task.seq_len: expected an integer ≥ 2, found '1e30'",
        ])
    }

    @Test func aRunOfASweepThatDoesNotFitIsNamed() {
        #expect(needs(minimal + "sweep:\n  model.hidden_size: [8, 100000000]\n") == [
            "experiments/x.yaml:9: model.hidden_size: run 'hidden_size=100000000' needs about 426 PiB of memory "
                + "(parameters 426 PiB, activations 74.5 TiB, data 850 KiB)",
        ])
    }

    @Test func runsThatFitAreKept() throws {
        let experiment = try ExperimentSpec(yaml: minimal + "sweep:\n  model.hidden_size: [8, 1024]\n  task.seq_len: [1e3]\n",
                                            file: file)
        #expect(experiment.runs.map(\.model.hiddenSize) == [8, 1024])
        #expect(experiment.runs.map(\.task) == [.adding(seqLen: 1000), .adding(seqLen: 1000)])
    }

    /// The estimate counts exactly the parameters the network has, for every built-in vector
    /// cell, stacked, bidirectional and with an input projection (a convolutional cell takes
    /// neither the adding problem nor a projection; its kernels are estimated as an LSTM's).
    @Test(arguments: CellRegistry.builtIn.descriptors.filter { !$0.convolutional }.map(\.name))
    func theEstimateCountsTheNetworksParameters(cell: String) throws {
        let run = try ExperimentSpec(yaml: replacing(line: 6, with: "  cell: \(cell)")
            + "  num_layers: 3\n  bidirectional: true\n  input_projection: 5\n", file: file).runs[0]
        let values = Dictionary(uniqueKeysWithValues: run.values.map { ($0.path, $0.value) })
        let executor = RunExecutor(versions: .init(gitCommit: "", gitDirty: false, swift: "", blas: ""))
        let trainer = try executor.makeTrainer(run, task: executor.makeTask(run.task))
        // 4 bytes for each weight, its gradient and Adam's two slots.
        #expect(MemoryEstimate(values).parameters == 16 * Double(trainer.model.parameters.storage.count))
    }

    @Test func nulIsRefusedInStrings() {
        let yaml = replacing(line: 3, with: "  name: sequences").replacingOccurrences(of: "  seq_len: 100", with: "  path: \"data.h5\\0.txt\"")
        #expect(messages(yaml) == [
            "experiments/x.yaml:4: task.path: expected a string without NUL characters, found the string \"data.h5\u{0}.txt\"",
        ])
    }

    @Test func aFileThatIsNotUTF8SaysWhere() {
        let bytes = Data("name: x\ntask:\n  name: add".utf8) + Data([0xFF]) + Data("ing\n".utf8)
        let error = #expect(throws: ExperimentErrors.self) { try ExperimentSpec(data: bytes, file: file) }
        #expect(error?.description == "experiments/x.yaml: cannot read the experiment file: not UTF-8 text: byte 0xFF at line 3, column 12")
    }

    /// Any text at all as sweep values gives names that are files in the experiment directory:
    /// the characters of docs/experiments.md, at most 206 bytes, not hidden, all different.
    @Test func anyValuesGiveSafeDistinctNames() {
        var generator = SeededGenerator(seed: 5)
        let pieces = ["..", "/", "\u{0}", "\\", "~", "é", "\u{202E}", "\u{FFFD}", "a", "Z", "9", ".", " ", "=", ",", "+",
                      String(repeating: "x", count: 300), "\u{1F600}", "\n", "-"]
        for _ in 0..<500 {
            let values = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            }
            let names = RunName.names(for: values.map { [(path: "task.path", value: $0), (path: "seed", value: "1")] })
            #expect(Set(names).count == names.count, "\(values)")
            for name in names {
                #expect(name.utf8.count <= 206 && !name.hasPrefix(".") && name != "." && name != "..", "\(name)")
                #expect(name.unicodeScalars.allSatisfy { RunName.isWordCharacter($0) || "+=,~".unicodeScalars.contains($0) },
                        "\(name)")
            }
        }
    }
}
