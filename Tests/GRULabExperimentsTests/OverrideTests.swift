import GRULabExperiments
import Testing

/// Hydra-style `key=value` overrides.
@Suite struct OverrideTests {
    @Test func overridesSetKeysAsYAMLScalars() throws {
        let experiment = try ExperimentSpec(
            yaml: minimal, file: file,
            overrides: ["model.cell=mingru", "task.seq_len=200", "train.lr=1e-3", "model.bidirectional=true",
                        "train.clip=1", "model.input_projection=null", "train.checkpoint_every=", "name=y"])
        let run = try #require(experiment.runs.first)
        #expect(run.model.cell == "mingru")
        #expect(run.task == .adding(seqLen: 200))
        #expect(run.train.lr == 1e-3)
        #expect(run.model.bidirectional)
        #expect(run.train.clip == 1)
        #expect(run.model.inputProjection == nil)
        #expect(run.train.checkpointEvery == nil)
        #expect(run.experiment == "y")
        #expect(run.name == "run", "an override of an unswept key does not make an axis")
    }

    @Test func anOverrideOfASweptKeyLeavesThatOneValue() throws {
        let yaml = minimal + "sweep:\n  model.cell: [gru, lstm]\n  task.seq_len: [50, 100]\n"
        let experiment = try ExperimentSpec(yaml: yaml, file: file, overrides: ["model.cell=mingru"])
        #expect(experiment.axes == [.init(key: "model.cell", values: ["mingru"]), .init(key: "task.seq_len", values: ["50", "100"])])
        #expect(experiment.runs.map(\.name) == ["cell=mingru,seq_len=50", "cell=mingru,seq_len=100"])
    }

    @Test func sweepOverridesReplaceOrAddAxes() throws {
        let yaml = minimal + "sweep:\n  model.cell: [gru, lstm]\n"
        let replaced = try ExperimentSpec(yaml: yaml, file: file, overrides: ["sweep.model.cell=[rnn-tanh, d2l-gru]"])
        #expect(replaced.runs.map(\.name) == ["cell=rnn-tanh", "cell=d2l-gru"])
        let added = try ExperimentSpec(yaml: yaml, file: file, overrides: ["sweep.seed=[1,2]"])
        #expect(added.runs.map(\.name) == ["cell=gru,seed=1", "cell=gru,seed=2", "cell=lstm,seed=1", "cell=lstm,seed=2"])
        let seeds = try ExperimentSpec(yaml: yaml, file: file, overrides: ["seed=[7,8]"])
        #expect(seeds.runs.map(\.name) == ["cell=gru,seed=7", "cell=gru,seed=8", "cell=lstm,seed=7", "cell=lstm,seed=8"])
    }

    @Test func laterOverridesWin() throws {
        let experiment = try ExperimentSpec(yaml: minimal, file: file, overrides: ["model.hidden_size=4", "model.hidden_size=16"])
        #expect(experiment.runs[0].model.hiddenSize == 16)
    }

    @Test func anOverrideCanSupplyARequiredKey() throws {
        let experiment = try ExperimentSpec(yaml: replacing(line: 6, with: ""), file: file, overrides: ["model.cell=lstm"])
        #expect(experiment.runs[0].model.cell == "lstm")
    }

    @Test(arguments: [
        ("train.lr=fast", "override 'train.lr=fast': train.lr: expected a positive number, found 'fast'"),
        ("model.hiden_size=3", "override 'model.hiden_size=3': model.hiden_size: unknown key; did you mean 'hidden_size'?"),
        ("modle.cell=gru", "override 'modle.cell=gru': modle.cell: unknown key; did you mean 'model'?"),
        ("model.cell=grru", "override 'model.cell=grru': model.cell: unknown cell 'grru'; did you mean 'gru'?"),
        ("task.name=copi", "override 'task.name=copi': task.name: unknown task 'copi'; did you mean 'copy'?"),
        ("task.seq_len=1", "override 'task.seq_len=1': task.seq_len: expected an integer ≥ 2, found '1'"),
        ("model.bidirectional=yes", "override 'model.bidirectional=yes': model.bidirectional: expected true or false, found 'yes'"),
        ("model.cell=[gru,lstm]", "override 'model.cell=[gru,lstm]': model.cell: expected a cell name, found a list"),
        ("task.symbols=4", "override 'task.symbols=4': task.symbols: not a parameter of task 'adding'; it applies to copy"),
        ("sweep.model.cell=[gru,gru]", "override 'sweep.model.cell=[gru,gru]': sweep.model.cell: duplicate value 'gru'"),
        ("sweep.model.cell=[]", "override 'sweep.model.cell=[]': sweep.model.cell: expected a non-empty list of values, found an empty list"),
        ("sweep.name=[a,b]", "override 'sweep.name=[a,b]': sweep.name: cannot be swept"),
        ("sweep.train.lrr=[1]", "override 'sweep.train.lrr=[1]': sweep.train.lrr: unknown key; did you mean 'lr'?"),
        ("model=3", "override 'model=3': model: is a section; override one key at a time, e.g. model.cell=..."),
        ("sweep={}", "override 'sweep={}': sweep: is a section; override one key at a time, e.g. sweep.model.cell=[gru,lstm]"),
        ("train.lr", "override 'train.lr': expected key=value, e.g. model.cell=gru"),
        ("=3", "override '=3': expected key=value, e.g. model.cell=gru"),
        ("model.cell=[gru", "override 'model.cell=[gru': YAML syntax error: while parsing a flow sequence did not find expected ',' or ']'"),
    ] as [(String, String)])
    func aBadOverrideNamesItself(override: String, expected: String) {
        #expect(messages(minimal, [override]) == [expected])
    }

    @Test func fileErrorsComeBeforeOverrideErrors() {
        #expect(messages(minimal + "seed: x\n", ["train.lr=0"]) == [
            "experiments/x.yaml:8: seed: expected a non-negative integer, found 'x'",
            "override 'train.lr=0': train.lr: expected a positive number, found '0'",
        ])
    }
}
