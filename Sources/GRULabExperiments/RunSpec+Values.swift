extension RunSpec {
    /// A run from its resolved flat values, which validation guarantees complete and typed.
    init(index: Int, name: String, varied: [VariedValue], values: [(path: String, value: SettingValue)]) {
        let v = Dictionary(uniqueKeysWithValues: values.map { ($0.path, $0.value) })
        func int(_ path: String) -> Int { v[path]!.int! }
        func optionalInt(_ path: String) -> Int? { v[path]!.int }
        func number(_ path: String) -> Double { v[path]!.number! }
        func string(_ path: String) -> String { v[path]!.string! }

        let task: TaskSpec = switch string("task.name") {
        case "adding": .adding(seqLen: int("task.seq_len"))
        case "copy": .copy(seqLen: int("task.seq_len"), symbols: int("task.symbols"), copyLength: int("task.copy_len"))
        case "selective-copy": .selectiveCopy(seqLen: int("task.seq_len"), tokens: int("task.tokens"), vocab: int("task.vocab"))
        case "spatial-recall": .spatialRecall(seqLen: int("task.seq_len"), size: int("task.size"))
        default: .sequences(path: string("task.path"), x: string("task.x"), y: string("task.y"),
                            lengths: v["task.lengths"]!.string, evalFraction: number("task.eval_fraction"))
        }
        let model = ModelSpec(
            cell: string("model.cell"), hiddenSize: int("model.hidden_size"), kernelSize: int("model.kernel_size"),
            numLayers: int("model.num_layers"),
            bidirectional: v["model.bidirectional"]!.bool!, dropout: number("model.dropout"),
            gateActivation: .init(rawValue: string("model.gate_activation"))!,
            candidateActivation: .init(rawValue: string("model.candidate_activation"))!,
            initialization: .init(rawValue: string("model.init"))!, zoneout: number("model.zoneout"),
            variationalDropout: .init(input: number("model.variational_dropout.input"),
                                      recurrent: number("model.variational_dropout.recurrent")),
            gaussianNoise: number("model.gaussian_noise"),
            gaussianNoiseLearned: v["model.gaussian_noise_learned"]!.bool!, klWeight: number("model.kl_weight"),
            inputProjection: optionalInt("model.input_projection"), head: .init(rawValue: string("model.head"))!,
            forgetBias: v["model.forget_bias"]!.number)
        let decay: TrainSpec.Decay = switch string("train.decay") {
        case "cosine": .cosine(minLR: number("train.min_lr"))
        case "step": .step(every: int("train.decay_every"), rate: number("train.decay_rate"))
        case "exponential": .exponential(every: int("train.decay_every"), rate: number("train.decay_rate"))
        default: .none
        }
        let train = TrainSpec(
            steps: int("train.steps"), batchSize: int("train.batch_size"),
            optimizer: .init(rawValue: string("train.optimizer"))!, lr: number("train.lr"),
            momentum: number("train.momentum"), clip: v["train.clip"]!.number, warmup: int("train.warmup"), decay: decay,
            evalEvery: int("train.eval_every"), evalBatches: int("train.eval_batches"),
            checkpointEvery: optionalInt("train.checkpoint_every"))
        let log = LogSpec(every: int("log.every"), gradHEvery: optionalInt("log.grad_h_every"),
                          flushEvery: number("log.flush_every"))
        self.init(index: index, experiment: string("name"), name: name, varied: varied, seed: int("seed"),
                  task: task, model: model, train: train, log: log, values: values)
    }
}
