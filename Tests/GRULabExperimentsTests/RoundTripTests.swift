import GRULabExperiments
import Testing

/// The resolved YAML of a run loads back to the same run.
@Suite struct RoundTripTests {
    static let swept = minimal + """
        seed: 4
        train:
          lr: 1e-3
          clip: 0.5
          decay: step
        log:
          grad_h_every: null
        sweep:
          model.cell: [gru, lstm]
          model.zoneout: [0.0, 0.1]

        """

    @Test(arguments: [
        swept,
        minimal,
        replacing(line: 3, with: "  name: copy\n  symbols: 6"),
        replacing(line: 3, with: "  name: selective-copy\n  vocab: 5"),
        replacing(line: 3, with: "  name: spatial-recall\n  size: 6"),
        "name: data\ntask:\n  name: sequences\n  path: \"weird: name #1.h5\"\n  lengths: null\nmodel:\n  cell: rnn-relu\n  hidden_size: 3\n  input_projection: 7\n  head: every\n",
    ])
    func everyRunReadsBackTheSame(yaml: String) throws {
        for run in try ExperimentSpec(yaml: yaml, file: file).runs {
            let back = try ExperimentSpec(yaml: run.yaml, file: "resolved.yaml")
            #expect(back.axes.isEmpty)
            var again = try #require(back.runs.first)
            #expect(again.name == run.name)
            #expect(again.varied.isEmpty)
            again.index = run.index
            again.varied = run.varied
            #expect(again == run)
            #expect(again.yaml == run.yaml, "the text is a fixed point")
        }
    }

    @Test func theYAMLHasEveryDefaultAndNoSweep() throws {
        let run = try ExperimentSpec(yaml: Self.swept, file: file).runs[3]
        #expect(run.yaml == """
            # run 3 of x: model.cell=lstm, model.zoneout=0.1
            name: x
            run: cell=lstm,zoneout=0.1
            seed: 4
            task:
              name: adding
              seq_len: 100
            model:
              cell: lstm
              hidden_size: 8
              kernel_size: 3
              num_layers: 1
              bidirectional: false
              dropout: 0.0
              gate_activation: sigmoid
              candidate_activation: tanh
              init: pytorch
              forget_bias: null
              zoneout: 0.1
              variational_dropout:
                input: 0.0
                recurrent: 0.0
              gaussian_noise: 0.0
              gaussian_noise_learned: false
              kl_weight: 0.001
              input_projection: null
              head: last
            train:
              steps: 1000
              batch_size: 32
              optimizer: adam
              lr: 0.001
              momentum: 0.0
              clip: 0.5
              warmup: 0
              decay: step
              decay_every: 1000
              decay_rate: 0.5
              min_lr: 0.0
              eval_every: 100
              eval_batches: 10
              checkpoint_every: 500
            log:
              every: 10
              grad_h_every: null
              flush_every: 5.0

            """)
        #expect(run.train.decay == .step(every: 1000, rate: 0.5))
        #expect(run.log.gradHEvery == nil)
    }

    @Test func theHeadDefaultsFromTheTask() throws {
        #expect(try ExperimentSpec(yaml: minimal, file: file).runs[0].model.head == .last)
        let copy = replacing(line: 3, with: "  name: copy")
        #expect(try ExperimentSpec(yaml: copy, file: file).runs[0].model.head == .every)
        #expect(try ExperimentSpec(yaml: copy + "  head: last\n", file: file).runs[0].model.head == .last)
    }
}
