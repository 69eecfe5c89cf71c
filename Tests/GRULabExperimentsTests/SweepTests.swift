import Foundation
@testable import GRULabExperiments
import Testing

/// The grid: order, names, seeds as an axis.
@Suite struct SweepTests {
    @Test func theGridIsTheProductWithTheFirstAxisSlowest() throws {
        let yaml = minimal + "sweep:\n  model.cell: [gru, lstm]\n  task.seq_len: [50, 100]\n  seed: [1, 2]\n"
        let experiment = try ExperimentSpec(yaml: yaml, file: file)
        #expect(experiment.axes == [.init(key: "model.cell", values: ["gru", "lstm"]),
                                    .init(key: "task.seq_len", values: ["50", "100"]),
                                    .init(key: "seed", values: ["1", "2"])])
        #expect(experiment.runs.map(\.name) == [
            "cell=gru,seq_len=50,seed=1", "cell=gru,seq_len=50,seed=2",
            "cell=gru,seq_len=100,seed=1", "cell=gru,seq_len=100,seed=2",
            "cell=lstm,seq_len=50,seed=1", "cell=lstm,seq_len=50,seed=2",
            "cell=lstm,seq_len=100,seed=1", "cell=lstm,seq_len=100,seed=2",
        ])
        #expect(experiment.runs.map(\.index) == Array(0..<8))
        let run = experiment.runs[5]
        #expect(run.model.cell == "lstm")
        #expect(run.task == .adding(seqLen: 50))
        #expect(run.seed == 2)
        #expect(run.varied == [.init(key: "model.cell", value: "lstm"), .init(key: "task.seq_len", value: "50"),
                               .init(key: "seed", value: "2")])
    }

    @Test func aListOfSeedsIsASweepAxis() throws {
        let experiment = try ExperimentSpec(yaml: minimal + "seed: [3, 1, 2]\n", file: file)
        #expect(experiment.runs.map(\.seed) == [3, 1, 2])
        #expect(experiment.runs.map(\.name) == ["seed=3", "seed=1", "seed=2"])
    }

    @Test func nestedSweepKeysAreKeyPaths() throws {
        let experiment = try ExperimentSpec(yaml: minimal + "sweep:\n  model:\n    zoneout: [0.0, 0.25]\n", file: file)
        #expect(experiment.runs.map(\.model.zoneout) == [0, 0.25])
        #expect(experiment.runs.map(\.name) == ["zoneout=0.0", "zoneout=0.25"])
    }

    @Test func withoutASweepThereIsOneRunNamedRun() throws {
        let experiment = try ExperimentSpec(yaml: minimal, file: file)
        #expect(experiment.runs.map(\.name) == ["run"])
        #expect(experiment.axes.isEmpty)
    }

    @Test func labelsAreWholePathsWhenLastComponentsClash() {
        let names = RunName.names(for: [[(path: "model.every", value: "1"), (path: "log.every", value: "2"), (path: "seed", value: "3")]])
        #expect(names == ["model.every=1,log.every=2,seed=3"])
    }

    @Test(arguments: [
        ("data/train.h5", "path=data_train.h5"),
        ("../secret", "path=___secret"),
        ("/etc", "path=_etc"),
        ("a b\tc", "path=a_b_c"),
        ("données", "path=donn_es"),
            ])
    func valuesAreMadeSafeAsFileNames(value: String, expected: String) throws {
        let yaml = replacing(line: 3, with: "  name: sequences").replacingOccurrences(of: "  seq_len: 100", with: "  path: x")
            + "sweep:\n  task.path: [\"\(value.replacingOccurrences(of: "\t", with: "\\t"))\"]\n"
        let experiment = try ExperimentSpec(yaml: yaml, file: file)
        #expect(experiment.runs.map(\.name) == [expected])
        #expect(!expected.contains("/") && !expected.contains("..") && !expected.contains("\u{0}"))
    }

    @Test func aLongValueKeepsItsStartAndGetsAHashOfTheWhole() {
        let long = "a-very-long-file-name-that-goes-on-and-on.h5"
        let name = RunName.sanitized(long)
        #expect(name.count == 32)
        #expect(name.hasPrefix("a-very-long-file-name-t~"))
        #expect(name != RunName.sanitized(long + "x"))
        #expect(name == RunName.sanitized(long), "stable across calls and processes")
    }

    @Test func namesThatSanitiseAlikeAreMadeUnique() throws {
        let yaml = replacing(line: 3, with: "  name: sequences").replacingOccurrences(of: "  seq_len: 100", with: "  path: x")
            + "sweep:\n  task.path: [a/b, a_b, a b]\n"
        let experiment = try ExperimentSpec(yaml: yaml, file: file)
        #expect(experiment.runs.map(\.name) == ["path=a_b", "path=a_b~1", "path=a_b~2"])
    }

    @Test func aLongNameIsCutWithAHash() throws {
        // Keys that do not size the run, which a run of this size could not hold in memory.
        let ints = ["train.steps", "train.warmup", "train.decay_every", "train.eval_every", "train.eval_batches",
                    "train.checkpoint_every", "log.every", "log.grad_h_every"]
        let numbers = ["model.dropout", "model.zoneout", "model.variational_dropout.input",
                       "model.variational_dropout.recurrent", "train.momentum", "train.lr", "train.min_lr",
                       "train.decay_rate", "log.flush_every"]
        let yaml = minimal + "sweep:\n" + ints.map { "  \($0): [1234567890]\n" }.joined()
            + numbers.map { "  \($0): [0.123456789012]\n" }.joined()
        let experiment = try ExperimentSpec(yaml: yaml, file: file)
        let name = try #require(experiment.runs.first?.name)
        #expect(name.count == 200)
        #expect(name.dropLast(8).hasSuffix("~"))
        #expect(name.hasPrefix("steps=1234567890,warmup=1234567890,"))
    }
}

extension SweepTests {
    @Test func aListOfSeedsComesAfterTheSweepWhereverItIsWritten() throws {
        let yaml = "seed: [1, 2]\n" + minimal + "sweep:\n  model.cell: [gru, lstm]\n"
        let experiment = try ExperimentSpec(yaml: yaml, file: file)
        #expect(experiment.axes.map(\.key) == ["model.cell", "seed"])
        #expect(experiment.runs.map(\.name) == ["cell=gru,seed=1", "cell=gru,seed=2", "cell=lstm,seed=1", "cell=lstm,seed=2"])
    }
}
