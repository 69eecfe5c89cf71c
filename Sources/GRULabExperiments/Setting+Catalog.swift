extension Setting {
    /// The sections that hold keys, with their own sub-sections.
    static let sections: Set<String> = ["task", "model", "model.variational_dropout", "train", "log"]

    /// Every key, in the order the resolved YAML writes them and docs/experiments.md lists
    /// them. A key whose default is derived comes after the keys it is derived from.
    static let catalog: [Setting] = [
        Setting("name", .identifier, .required, sweepable: false),
        Setting("run", .runName, .required, sweepable: false),  // filled in from the sweep; see ExperimentLoader
        Setting("seed", .integer(min: 0), .value(.int(0))),

        Setting("task.name", .task, .required),
        Setting("task.seq_len", .integer(min: 2), .required, tasks: ["adding", "copy", "selective-copy", "spatial-recall"]),
        Setting("task.size", .integer(min: 4), .value(.int(8)), tasks: ["spatial-recall"]),
        Setting("task.symbols", .integer(min: 2), .value(.int(8)), tasks: ["copy"]),
        Setting("task.copy_len", .integer(min: 1), .value(.int(10)), tasks: ["copy"]),
        Setting("task.tokens", .integer(min: 1), .value(.int(16)), tasks: ["selective-copy"]),
        Setting("task.vocab", .integer(min: 2), .value(.int(16)), tasks: ["selective-copy"]),
        Setting("task.path", .string, .required, tasks: ["sequences"]),
        Setting("task.x", .string, .value(.string("x")), tasks: ["sequences"]),
        Setting("task.y", .string, .value(.string("y")), tasks: ["sequences"]),
        Setting("task.lengths", .optional(.string), .value(.string("lengths")), tasks: ["sequences"]),
        Setting("task.eval_fraction", .fraction, .value(.number(0.1)), tasks: ["sequences"]),

        Setting("model.cell", .cell, .required),
        Setting("model.hidden_size", .integer(min: 1), .required),
        Setting("model.kernel_size", .integer(min: 1), .value(.int(3))),
        Setting("model.num_layers", .integer(min: 1), .value(.int(1))),
        Setting("model.bidirectional", .boolean, .value(.bool(false))),
        Setting("model.dropout", .probability, .value(.number(0))),
        Setting("model.gate_activation", .choice(["sigmoid", "hard-sigmoid"]), .value(.string("sigmoid"))),
        Setting("model.candidate_activation", .choice(["tanh", "relu"]), .value(.string("tanh"))),
        Setting("model.init", .choice(["pytorch", "keras"]), .value(.string("pytorch"))),
        Setting("model.forget_bias", .optional(.finite), .value(.null)),
        Setting("model.zoneout", .probability, .value(.number(0))),
        Setting("model.variational_dropout.input", .probability, .value(.number(0))),
        Setting("model.variational_dropout.recurrent", .probability, .value(.number(0))),
        Setting("model.gaussian_noise", .nonNegative, .value(.number(0))),
        Setting("model.gaussian_noise_learned", .boolean, .value(.bool(false))),
        Setting("model.kl_weight", .nonNegative, .value(.number(0.001))),
        Setting("model.input_projection", .optional(.integer(min: 1)), .value(.null)),
        Setting("model.head", .choice(["last", "every"]), .derived { values in
            .string(TaskSpec.defaultHead(forTask: values["task.name"]?.string ?? "adding"))
        }),

        Setting("train.steps", .integer(min: 1), .value(.int(1000))),
        Setting("train.batch_size", .integer(min: 1), .value(.int(32))),
        Setting("train.optimizer", .choice(["sgd", "adam", "rmsprop"]), .value(.string("adam"))),
        Setting("train.lr", .positive, .value(.number(0.001))),
        Setting("train.momentum", .fraction, .value(.number(0))),
        Setting("train.clip", .optional(.positive), .value(.null)),
        Setting("train.warmup", .integer(min: 0), .value(.int(0))),
        Setting("train.decay", .choice(["none", "cosine", "step", "exponential"]), .value(.string("none"))),
        Setting("train.decay_every", .integer(min: 1), .value(.int(1000))),
        Setting("train.decay_rate", .factor, .value(.number(0.5))),
        Setting("train.min_lr", .nonNegative, .value(.number(0))),
        Setting("train.eval_every", .integer(min: 1), .value(.int(100))),
        Setting("train.eval_batches", .integer(min: 1), .value(.int(10))),
        Setting("train.checkpoint_every", .optional(.integer(min: 1)), .value(.int(500))),

        Setting("log.every", .integer(min: 1), .value(.int(10))),
        Setting("log.grad_h_every", .optional(.integer(min: 1)), .value(.int(100))),
        Setting("log.flush_every", .number(expected: "a positive number of seconds, at most 86400") { $0 > 0 && $0 <= 86400 },
                .value(.number(5))),
    ]

    static let byPath: [String: Setting] = Dictionary(uniqueKeysWithValues: catalog.map { ($0.path, $0) })

    /// The keys directly under `section` ("" for the top level), sub-sections included, in
    /// catalog order: what a did-you-mean chooses from.
    static func children(of section: String) -> [String] {
        let prefix = section.isEmpty ? "" : section + "."
        var seen: [String] = []
        for setting in catalog where setting.path.hasPrefix(prefix) {
            let child = String(setting.path.dropFirst(prefix.count).split(separator: ".")[0])
            if !seen.contains(child) { seen.append(child) }
        }
        if section.isEmpty { seen.append("sweep") }
        return seen
    }
}
