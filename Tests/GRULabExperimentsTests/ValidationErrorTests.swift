import Foundation
import GRULabExperiments
import Testing

/// Every validation error a file can have: exact message, file, line and key.
@Suite struct ValidationErrorTests {
    @Test func theMinimalFileIsValid() {
        #expect(messages(minimal) == [])
    }

    @Test(arguments: [
        // Unknown keys, with a did-you-mean at the level where the path goes wrong.
        (replacing(line: 7, with: "  hiden_size: 8"),
         "experiments/x.yaml:7: model.hiden_size: unknown key; did you mean 'hidden_size'?"),
        (minimal + "loggg:\n  every: 3\n", "experiments/x.yaml:8: loggg: unknown key; did you mean 'log'?"),
        (minimal + "train:\n  lrr: 0.1\n", "experiments/x.yaml:9: train.lrr: unknown key; did you mean 'lr'?"),
        (minimal + "train:\n  zzzzzz: 1\n",
         "experiments/x.yaml:9: train.zzzzzz: unknown key; known keys: steps, batch_size, optimizer, lr, momentum, clip, warmup, decay, decay_every, decay_rate, min_lr, eval_every, eval_batches, checkpoint_every"),
        (minimal + "  variational_dropout:\n    inptu: 0.1\n",
         "experiments/x.yaml:9: model.variational_dropout.inptu: unknown key; did you mean 'input'?"),
        (minimal + "sweep:\n  model.hiden_size: [4, 8]\n",
         "experiments/x.yaml:9: sweep.model.hiden_size: unknown key; did you mean 'hidden_size'?"),
        // Wrong types.
        (minimal + "train:\n  lr: fast\n", "experiments/x.yaml:9: train.lr: expected a positive number, found 'fast'"),
        (minimal + "train:\n  lr: \"0.1\"\n",
         "experiments/x.yaml:9: train.lr: expected a positive number, found the string \"0.1\""),
        (minimal + "train:\n  steps: 1.5\n", "experiments/x.yaml:9: train.steps: expected a positive integer, found '1.5'"),
        (minimal + "  bidirectional: maybe\n",
         "experiments/x.yaml:8: model.bidirectional: expected true or false, found 'maybe'"),
        (minimal + "train:\n  steps: [1, 2]\n", "experiments/x.yaml:9: train.steps: expected a positive integer, found a list"),
        (minimal + "train: 3\n", "experiments/x.yaml:8: train: expected a mapping of train keys, found '3'"),
        (minimal + "  input_projection: wide\n",
         "experiments/x.yaml:8: model.input_projection: expected a positive integer or null, found 'wide'"),
        (minimal + "train:\n  optimizer: adma\n",
         "experiments/x.yaml:9: train.optimizer: expected one of sgd, adam, rmsprop, found 'adma'; did you mean 'adam'?"),
        (minimal + "  gate_activation: softsign\n",
         "experiments/x.yaml:8: model.gate_activation: expected one of sigmoid, hard-sigmoid, found 'softsign'"),
        (minimal + "sweep:\n  seed: 3\n", "experiments/x.yaml:9: sweep.seed: expected a non-empty list of values, found '3'"),
        (minimal + "sweep: [seed]\n", "experiments/x.yaml:8: sweep: expected a mapping of key paths to lists, found a list"),
        // Out of range.
        (replacing(line: 4, with: "  seq_len: 1"), "experiments/x.yaml:4: task.seq_len: expected an integer ≥ 2, found '1'"),
        (replacing(line: 7, with: "  hidden_size: 0"),
         "experiments/x.yaml:7: model.hidden_size: expected a positive integer, found '0'"),
        (minimal + "seed: -1\n", "experiments/x.yaml:8: seed: expected a non-negative integer, found '-1'"),
        (minimal + "train:\n  lr: -0.1\n", "experiments/x.yaml:9: train.lr: expected a positive number, found '-0.1'"),
        (minimal + "  zoneout: 1\n", "experiments/x.yaml:8: model.zoneout: expected a probability in [0, 1), found '1'"),
        (minimal + "  dropout: .nan\n", "experiments/x.yaml:8: model.dropout: expected a probability in [0, 1), found '.nan'"),
        (minimal + "train:\n  decay_rate: 2\n", "experiments/x.yaml:9: train.decay_rate: expected a number in (0, 1], found '2'"),
        (minimal + "log:\n  flush_every: 0\n", "experiments/x.yaml:9: log.flush_every: expected a positive number of seconds, at most 86400, found '0'"),
        (minimal + "log:\n  flush_every: 1e300\n",
         "experiments/x.yaml:9: log.flush_every: expected a positive number of seconds, at most 86400, found '1e300'"),
        (replacing(line: 1, with: "name: ../up"),
         "experiments/x.yaml:1: name: expected a name of letters, digits, '.', '_' and '-', found '../up'"),
        // Unknown cells and tasks.
        (replacing(line: 6, with: "  cell: grru"), "experiments/x.yaml:6: model.cell: unknown cell 'grru'; did you mean 'gru'?"),
        (replacing(line: 6, with: "  cell: transformer"),
         "experiments/x.yaml:6: model.cell: unknown cell 'transformer'; known cells: "
            + "gru, d2l-gru, mingru, cellstate-gru, lstm, rnn-tanh, rnn-relu, convgru, convlstm, convrnn-tanh, zoneout-gru, variational-gru, noisy-gru, zoneout-d2l-gru, variational-d2l-gru, noisy-d2l-gru, zoneout-mingru, variational-mingru, noisy-mingru, zoneout-cellstate-gru, variational-cellstate-gru, noisy-cellstate-gru, zoneout-lstm, variational-lstm, noisy-lstm, zoneout-rnn-tanh, variational-rnn-tanh, noisy-rnn-tanh, zoneout-convgru, variational-convgru, noisy-convgru, zoneout-convlstm, variational-convlstm, noisy-convlstm, zoneout-convrnn-tanh, variational-convrnn-tanh, noisy-convrnn-tanh"),
        (minimal + "sweep:\n  model.cell: [gru, lsmt]\n",
         "experiments/x.yaml:9: sweep.model.cell: unknown cell 'lsmt'; did you mean 'lstm'?"),
        (replacing(line: 3, with: "  name: addding"), "experiments/x.yaml:3: task.name: unknown task 'addding'; did you mean 'adding'?"),
        (replacing(line: 3, with: "  name: parity"),
         "experiments/x.yaml:3: task.name: unknown task 'parity'; known tasks: adding, copy, selective-copy, sequences, spatial-recall"),
    ] as [(String, String)])
    func aSingleMistakeGivesItsMessage(yaml: String, expected: String) {
        #expect(messages(yaml) == [expected])
    }

    /// Task parameters, required keys, sweeps, run names: checked on the resolved runs.
    @Test(arguments: [
        (replacing(line: 4, with: "  seq_len: 100\n  symbols: 4"),
         "experiments/x.yaml:5: task.symbols: not a parameter of task 'adding'; it applies to copy"),
        (replacing(line: 4, with: "  seq_len: 100\n  path: data.h5"),
         "experiments/x.yaml:5: task.path: not a parameter of task 'adding'; it applies to sequences"),
        (replacing(line: 4, with: ""), "experiments/x.yaml: task.seq_len: missing; expected an integer ≥ 2"),
        (replacing(line: 6, with: ""), "experiments/x.yaml: model.cell: missing; expected a cell name"),
        (replacing(line: 1, with: "seed: 1"),
         "experiments/x.yaml: name: missing; expected a name of letters, digits, '.', '_' and '-'"),
        (replacing(line: 3, with: "  name: sequences\n  path: d.h5"), "experiments/x.yaml:5: task.seq_len: not a parameter of task 'sequences'; it applies to adding, copy, selective-copy, spatial-recall"),
        (minimal + "sweep:\n  seed: [1, 2, 1]\n", "experiments/x.yaml:9: sweep.seed: duplicate value '1'"),
        (minimal + "sweep:\n  name: [a, b]\n", "experiments/x.yaml:9: sweep.name: cannot be swept"),
        (minimal + "seed: [1, 2]\nsweep:\n  seed: [3]\n",
         "experiments/x.yaml:8: seed: swept twice; keep one"),
        (minimal + "sweep:\n  model.cell: [gru]\n  model:\n    cell: [lstm]\n", "experiments/x.yaml:11: sweep.model.cell: swept twice; keep one"),
        (minimal + "run: mine\nsweep:\n  seed: [1, 2]\n",
         "experiments/x.yaml:8: run: names the only run of an experiment without a sweep; remove it or the sweep"),
        (minimal + "run: a/b\n",
         "experiments/x.yaml:8: run: expected a file-safe run name (no '/', NUL or '..', at most 200 characters), found 'a/b'"),
        (minimal + "sweep:\n" + ["train.steps", "train.batch_size", "train.warmup", "train.eval_every", "log.every", "train.eval_batches"]
            .map { "  \($0): [1, 2, 3, 4, 5, 6, 7]\n" }.joined(),
         "experiments/x.yaml: sweep: the grid has 117649 runs; at most 100000"),
        ("- name: x\n", "experiments/x.yaml:1: experiment: expected a mapping of sections (name, seed, task, model, train, log, sweep), found a list"),
    ] as [(String, String)])
    func aMistakeAcrossKeysGivesItsMessage(yaml: String, expected: String) {
        #expect(messages(yaml) == [expected])
    }

    @Test(arguments: [
        ("name: x\ntask: {name: adding\n", "experiments/x.yaml:3: YAML syntax error: while parsing a flow mapping did not find expected ',' or '}'"),
        ("name: x\nseed: 1\nseed: 2\n", "experiments/x.yaml:2: YAML syntax error: duplicate key 'seed'"),
        ("name: x\n  seed: 1\n", "experiments/x.yaml:2: YAML syntax error: mapping values are not allowed in this context"),
    ] as [(String, String)])
    func aSyntaxErrorIsTheOnlyMessage(yaml: String, expected: String) {
        #expect(messages(yaml) == [expected])
    }

    @Test func everyErrorOfAFileIsCollectedInDocumentOrder() {
        let yaml = """
            name: x
            seed: -1
            task:
              name: adding
              seq_len: 1
            model:
              cell: grru
              hiden_size: 8
            train:
              lr: fast

            """
        #expect(messages(yaml) == [
            "experiments/x.yaml:2: seed: expected a non-negative integer, found '-1'",
            "experiments/x.yaml:5: task.seq_len: expected an integer ≥ 2, found '1'",
            "experiments/x.yaml:7: model.cell: unknown cell 'grru'; did you mean 'gru'?",
            "experiments/x.yaml:8: model.hiden_size: unknown key; did you mean 'hidden_size'?",
            "experiments/x.yaml:10: train.lr: expected a positive number, found 'fast'",
        ])
    }

    @Test func errorsAreTypedWithTheirOriginAndKey() {
        #expect(errors(replacing(line: 7, with: "  hiden_size: 8")) == [
            .unknownKey(.line(file: file, line: 7), key: "model.hiden_size", suggestion: "hidden_size",
                        known: ["cell", "hidden_size", "kernel_size", "num_layers", "bidirectional", "dropout", "gate_activation",
                                "candidate_activation", "init", "forget_bias", "zoneout", "variational_dropout",
                                "gaussian_noise", "gaussian_noise_learned", "kl_weight", "input_projection", "head"]),
        ])
        #expect(errors(minimal + "train:\n  lr: fast\n") == [
            .invalidValue(.line(file: file, line: 9), key: "train.lr", expected: "a positive number", found: "'fast'",
                          suggestion: nil),
        ])
    }

    @Test func anErrorInOneSweptTaskIsReportedOnce() {
        let yaml = replacing(line: 4, with: "  seq_len: 100\n  symbols: 4") + "sweep:\n  seed: [1, 2, 3]\n"
        #expect(messages(yaml) == ["experiments/x.yaml:5: task.symbols: not a parameter of task 'adding'; it applies to copy"])
    }

    @Test func pluginCellsAreKnownWhenPassed() {
        let yaml = replacing(line: 6, with: "  cell: my-gru")
        #expect(messages(yaml, knownCells: ["gru", "my-gru"]) == [])
        #expect(messages(yaml, knownCells: ["gru"]) == ["experiments/x.yaml:6: model.cell: unknown cell 'my-gru'; known cells: gru"])
    }
}
