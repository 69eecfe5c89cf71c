import Foundation
@testable import GRULabExperiments
import GRULabTestSupport
import Testing

/// Fuzzing of the experiment-file reader and the override parser with a fixed number of
/// inputs from fixed seeds: every input must end in runs that reload from their own YAML, or
/// in typed errors that each say where the problem is. A crash or a hang fails the test run
/// (scripts/fuzz is the coverage-guided, open-ended counterpart; docs/reliability.md).
@Suite struct FuzzTests {
    static let seeds = ExperimentFilesTests.files.map {
        Array(try! Data(contentsOf: ExperimentFilesTests.root.appendingPathComponent("experiments/\($0)")))
    }

    /// How many inputs were valid and how many were refused, for the log.
    struct Tally: CustomStringConvertible {
        var valid = 0, invalid = 0
        var description: String { "\(valid + invalid) inputs: \(valid) valid, \(invalid) refused with typed errors" }
    }

    @Test func mutatedExperimentFiles() throws {
        var mutator = Mutator(seed: 9, dictionary: try FuzzDictionary.load("experiment"))
        var tally = Tally()
        for i in 0..<3000 {
            let seed = Self.seeds[i % Self.seeds.count]
            let input = mutator.mutate(seed, splicingWith: Self.seeds)
            check(Data(input), overrides: [], tally: &tally)
        }
        print("fuzz: mutated experiment files: \(tally)")
        #expect(tally.valid > 300, "the mutations keep some files valid, so valid paths are fuzzed too")
    }

    @Test func generatedExperimentFiles() throws {
        var generator = RandomExperiment(mutator: Mutator(seed: 10, dictionary: try FuzzDictionary.load("experiment")))
        var tally = Tally()
        for _ in 0..<2000 {
            check(Data(generator.document().utf8), overrides: [], tally: &tally)
        }
        print("fuzz: generated experiment files: \(tally)")
        #expect(tally.valid > 100)
    }

    @Test func generatedOverrides() throws {
        var generator = RandomExperiment(mutator: Mutator(seed: 11, dictionary: try FuzzDictionary.load("experiment")))
        var tally = Tally()
        let file = Data(minimal.utf8)
        for _ in 0..<2000 {
            let overrides = (0..<generator.mutator.integer(1...3)).map { _ in generator.override() }
            check(file, overrides: overrides, tally: &tally)
        }
        print("fuzz: generated overrides: \(tally)")
        #expect(tally.valid > 50)
    }

    /// The properties every input must have.
    func check(_ data: Data, overrides: [String], tally: inout Tally) {
        let shown = String(decoding: data.prefix(400), as: UTF8.self) + " " + overrides.joined(separator: " ")
        do {
            let experiment = try ExperimentSpec(data: data, file: "fuzz.yaml", overrides: overrides)
            tally.valid += 1
            #expect(!experiment.runs.isEmpty)
            #expect(Set(experiment.runs.map(\.name)).count == experiment.runs.count, "names unique: \(shown)")
            for run in experiment.runs {
                #expect(isFileSafe(run.name), "run name '\(run.name)' from: \(shown)")
                // Reloading is the costly check: the first and last two runs of a grid.
                guard run.index < 2 || run.index >= experiment.runs.count - 2 else { continue }
                let back = try? ExperimentSpec(yaml: run.yaml, file: "resolved.yaml").runs
                guard var reloaded = back?.first else {
                    Issue.record("run \(run.index) does not reload:\n\(run.yaml)\nfrom: \(shown)")
                    continue
                }
                reloaded.index = run.index
                reloaded.varied = run.varied
                #expect(reloaded == run, "run \(run.index) reloads differently:\n\(run.yaml)\nfrom: \(shown)")
            }
        } catch {
            tally.invalid += 1
            #expect(!error.errors.isEmpty)
            for message in error.errors.map(\.description) {
                #expect(message.hasPrefix("fuzz.yaml") || message.hasPrefix("override '"),
                        "'\(message)' does not say where; from: \(shown)")
            }
        }
    }

    /// At most 206 bytes (a 200-character name and `~` with a run index), of the characters
    /// docs/experiments.md allows, not a hidden file, `.` or `..`.
    func isFileSafe(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 206 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._+=,~-".unicodeScalars.contains($0)) }
    }
}

/// Random experiment files and overrides: the required keys with valid values, then keys of
/// the dictionary set to values of every type (wrong types, huge and non-finite numbers,
/// paths, unicode, lists, mappings, aliases), and a sweep.
struct RandomExperiment {
    var mutator: Mutator

    /// Values of every kind, some valid somewhere.
    static let values = [
        "0", "1", "2", "4", "8", "100", "-1", "1.5", "0.1", "1e-3", "1e12", "1e308", "-0", ".nan", ".inf", "0x1F",
        "9223372036854775807", "9223372036854775808", "10000000", "null", "~", "", "true", "no", "gru", "lstm",
        "mingru", "adding", "copy", "selective-copy", "sequences", "adam", "sgd", "cosine", "step", "last", "every",
        "../x", "/etc", "\"a\\0b\"", "\"\\xff\"", "é", "\"\u{202E}rtl\"", "'quoted'", "[]", "{}", "[gru, lstm]",
        "[1, 1]", "{a: 1}", "&a 3", "*a", "!!str 5", String(repeating: "x", count: 300),
    ]

    /// Dotted keys of the dictionary (`model.hidden_size`) and the top-level ones.
    var paths: [String] {
        mutator.dictionary.map { String(decoding: $0, as: UTF8.self) }
            .filter { path in
                let components = path.split(separator: ".", omittingEmptySubsequences: false)
                return components.count > 1 && components.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0 == "_" } }
            }
            + ["name", "seed", "run"]
    }

    mutating func value() -> String {
        mutator.integer(0...9) == 0
            ? String(decoding: mutator.mutate(Array(Self.values.randomElement(using: &mutator.generator)!.utf8)), as: UTF8.self)
            : Self.values.randomElement(using: &mutator.generator)!
    }

    mutating func document() -> String {
        var assignments: [(path: String, value: String)] = [
            ("name", "x"), ("task.name", "adding"), ("task.seq_len", "10"), ("model.cell", "gru"), ("model.hidden_size", "4"),
        ]
        let paths = paths
        for _ in 0..<mutator.integer(0...5) {
            let path = paths.randomElement(using: &mutator.generator)!
            assignments.removeAll { $0.path == path }
            assignments.append((path, value()))
        }
        var lines = RunSpec.blockLines(assignments.sorted { $0.path < $1.path })
        if mutator.integer(0...1) == 0 {
            lines.append("sweep:")
            for _ in 0..<mutator.integer(1...3) {
                let values = (0..<mutator.integer(1...4)).map { _ in value() }
                lines.append("  \(paths.randomElement(using: &mutator.generator)!): [\(values.joined(separator: ", "))]")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func override() -> String {
        let path = (mutator.integer(0...3) == 0 ? "sweep." : "") + paths.randomElement(using: &mutator.generator)!
        let value = mutator.integer(0...3) == 0 ? "[\(value()), \(value())]" : value()
        let text = "\(path)=\(value)"
        return mutator.integer(0...9) == 0 ? String(decoding: mutator.mutate(Array(text.utf8)), as: UTF8.self) : text
    }
}
