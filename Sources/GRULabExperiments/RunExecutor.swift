import Foundation
import GRULabCells
import GRULabHDF5
import GRULabTasks
import GRULabTensor
import GRULabTraining

/// The end of one run, for the summary table and the index.
public struct RunOutcome: Sendable {
    public let run: RunSpec
    public let path: String
    public let status: RunStatus
    /// The last logged training loss, the last evaluation, and the task's baseline.
    public let trainLoss: Double?
    public let evalLoss: Double?
    public let evalAccuracy: Double?
    public let baseline: Baseline
    /// The first and last logged decay rates of ln ||dL/dh_t|| (layer 0, forward direction):
    /// at initialisation and after training, the numbers a vanishing-gradient study compares.
    public let initialDecayRate: Double?
    public let finalDecayRate: Double?
    public let seconds: Double
    /// Of ``seconds``, those spent inside training steps (forward, backward, update) in this
    /// process; the rest went to evaluations, logging, checkpoints and files.
    public let trainSeconds: Double
    /// Whether the run was already complete and left as it was.
    public let skipped: Bool
}

/// Runs one resolved run: builds its task, model and trainer, trains, and writes its HDF5 file
/// (docs/results-schema.md) and checkpoints. Training runs in Float32.
public struct RunExecutor: Sendable {
    public var versions: SoftwareVersions
    public var registry: CellRegistry

    public init(versions: SoftwareVersions, registry: CellRegistry = .builtIn) {
        self.versions = versions
        self.registry = registry
    }

    /// Trains `run` into `directory/<run name>.h5`, holding the run's ``RunLock`` throughout.
    ///
    /// - Parameters:
    ///   - resume: continue a run that was killed (`running`) or interrupted from its
    ///     checkpoint, keeping a completed or failed run as it is; otherwise an existing run
    ///     file is an error.
    ///   - progress: called after every logged step with the step report.
    ///   - shouldStop: asked before every step; once it says yes the run flushes, writes a
    ///     checkpoint (when the run has checkpoints) and ends with status
    ///     ``RunStatus/interrupted``.
    /// - Throws: ``RunError/busy(run:path:holder:)`` when another process holds the run.
    public func execute(_ run: RunSpec, in directory: String, resume: Bool,
                        progress: (StepReport) -> Void = { _ in },
                        shouldStop: () -> Bool = { false }) throws -> RunOutcome {
        let path = (directory as NSString).appendingPathComponent(run.name + ".h5")
        let lock = try RunLock(runPath: path, run: run.name)
        defer { lock.release() }
        let checkpointPath = Checkpoint.path(forRun: path)
        let task = try makeTask(run.task)
        var trainer = try makeTrainer(run, task: task)
        let start = ContinuousClock.now
        var trainSeconds = 0.0
        // On resume the earlier file moves aside to `<run>.h5.previous` until its rows up to the
        // checkpoint are in the new file: a kill at any point leaves a complete copy somewhere.
        let previousPath = path + ".previous"
        let files = FileManager.default
        var previousRows: [String: [(step: Int, values: [String: [Double]])]] = [:]
        if files.fileExists(atPath: path) || files.fileExists(atPath: previousPath) {
            guard resume else { throw RunError.exists(path: path) }
            // Everything is read and checked before anything moves: a file that cannot be
            // resumed is left exactly as it was.
            let earlier = files.fileExists(atPath: previousPath) ? previousPath : path
            let (reader, status) = try resumable(earlier, of: run)
            // Killed (still `running`) or interrupted runs continue; the others ended for good.
            if earlier == path, status != .running, status != .interrupted {
                do {
                    return try outcome(of: run, at: path, task: task, skipped: true)
                } catch {
                    throw RunError.cannotResume(run: run.name, reason: Self.leftAsItIs(error, run: run.name))
                }
            }
            if let checkpoint = try Checkpoint.read(from: checkpointPath, run: run.name) {
                try checkpoint.restore(into: &trainer, run: run.name)
                do {
                    previousRows = try rows(of: reader, before: checkpoint.step, layout: layout(run, trainer: trainer))
                } catch {
                    throw RunError.cannotResume(run: run.name, reason: Self.leftAsItIs(error, run: run.name))
                }
            }
            if earlier == path { try files.moveItem(atPath: path, toPath: previousPath) }
        }
        // Wall time goes on from the last row carried over, not from zero.
        let wallTimeBefore = previousRows["metrics"]?.last?.values["wall_time"]?.first ?? 0
        let writer = try RunWriter(
            path: path,
            metadata: RunMetadata(grulabVersion: SoftwareVersions.grulab, gitCommit: versions.gitCommit,
                                  gitDirty: versions.gitDirty, seed: run.seed, experimentYAML: run.yaml,
                                  swiftVersion: versions.swift, blas: versions.blas, startedAt: Date(),
                                  baseline: .init(metric: task.baseline.metric, value: task.baseline.value)),
            layout: layout(run, trainer: trainer), flushInterval: .milliseconds(Int(run.log.flushEvery * 1000)),
            overwrite: true)
        for (group, groupRows) in previousRows.sorted(by: { $0.key < $1.key }) {
            for row in groupRows { try writer.append(step: row.step, to: group, row.values) }
        }
        try writer.flush()
        if files.fileExists(atPath: previousPath) { try files.removeItem(atPath: previousPath) }
        // `step` in the files counts the updates applied before a measurement: a training row
        // at step k is the batch that made update k + 1; an evaluation at step k follows k
        // updates (step 0 is the initialisation).
        do {
            // Unless a run interrupted before its first update carried that evaluation over.
            if trainer.step == 0, previousRows["eval"]?.isEmpty ?? true { try evaluate(trainer, at: 0, into: writer) }
            while trainer.step < run.train.steps {
                if shouldStop() {
                    try writer.flush()
                    if run.train.checkpointEvery != nil { try Checkpoint(trainer).write(to: checkpointPath) }
                    try writer.finish(.interrupted)
                    return try outcome(of: run, at: path, task: task, skipped: false, seconds: elapsed(since: start),
                                       trainSeconds: trainSeconds)
                }
                let stepStart = ContinuousClock.now
                let report = try trainer.trainStep()
                trainSeconds += elapsed(since: stepStart)
                let step = report.step, done = step + 1
                if step % run.log.every == 0 || done == run.train.steps {
                    try writer.logMetrics(step: step, trainLoss: report.loss, gradNorm: report.gradientNorm,
                                          learningRate: report.learningRate,
                                          wallTime: wallTimeBefore + elapsed(since: start))
                    progress(report)
                }
                if let norms = report.hiddenGradientNorms {
                    var values: [String: [Double]] = [
                        "dL_dh_norm": norms.flatMap { $0 },
                        "decay_rate": (report.decayRates ?? []).map { $0 ?? .nan },
                    ]
                    for (name, norm) in zip(report.parameterNames, report.parameterGradientNorms) {
                        values["param_grad_norm/\(name)"] = [norm]
                    }
                    try writer.append(step: step, to: "gradients", values)
                    if let gates = report.gateStatistics, gates.contains(where: { $0 != nil }) {
                        try writer.append(step: step, to: "gates", [
                            "update_mean": gates.map { $0?.mean ?? .nan },
                            "update_saturated": gates.map { $0?.saturatedFraction ?? .nan },
                        ])
                    }
                }
                if done % run.train.evalEvery == 0 || done == run.train.steps {
                    try evaluate(trainer, at: done, into: writer)
                }
                if let every = run.train.checkpointEvery, done % every == 0 || done == run.train.steps {
                    try writer.flush()
                    try Checkpoint(trainer).write(to: checkpointPath)
                }
            }
            try writer.finish(.completed)
        } catch let error as TrainingError {
            try writer.finish(.failed(reason: error.description))
            return try outcome(of: run, at: path, task: task, skipped: false, seconds: elapsed(since: start),
                               trainSeconds: trainSeconds)
        }
        return try outcome(of: run, at: path, task: task, skipped: false, seconds: elapsed(since: start),
                           trainSeconds: trainSeconds)
    }

    private func evaluate(_ trainer: Trainer<Float>, at step: Int, into writer: RunWriter) throws {
        let result = try trainer.evaluate()
        try writer.logEval(step: step, loss: result.loss, accuracy: result.accuracy)
    }

    private func elapsed(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The summary of a run as its file records it: a file this process has just written, or
    /// read whole to resume it, so not read in a child process again.
    func outcome(of run: RunSpec, at path: String, task: any SequenceTask, skipped: Bool,
                 seconds: Double = 0, trainSeconds: Double = 0) throws -> RunOutcome {
        let reader = try RunReader(path: path, check: nil)
        let losses = try reader.series("train_loss", in: "metrics").values
        let evalLoss = try reader.series("loss", in: "eval").values
        let hasAccuracy = (try? reader.series("accuracy", in: "eval")) != nil
        let accuracy = hasAccuracy ? try reader.series("accuracy", in: "eval").values.last : nil
        let decay = try? reader.series("decay_rate", in: "gradients")
        let layers = decay?.shape.last ?? 1
        let rates = decay.map { d in stride(from: 0, to: d.values.count, by: layers).map { d.values[$0] } } ?? []
        return RunOutcome(run: run, path: path, status: try reader.status, trainLoss: losses.last,
                          evalLoss: evalLoss.last, evalAccuracy: accuracy,
                          baseline: task.baseline, initialDecayRate: rates.first.flatMap { $0.isNaN ? nil : $0 },
                          finalDecayRate: rates.last.flatMap { $0.isNaN ? nil : $0 },
                          seconds: seconds, trainSeconds: trainSeconds, skipped: skipped)
    }

    /// The earlier file of a run being resumed, opened and checked, and its status: a results
    /// file of this schema, written by the same specification of the run.
    private func resumable(_ path: String, of run: RunSpec) throws -> (RunReader, RunStatus) {
        let reader: RunReader
        let stored: String
        let status: RunStatus
        do {
            reader = try RunReader(path: path)
            stored = try reader.stringAttribute("experiment_yaml")
            status = try reader.status
        } catch {
            throw RunError.cannotResume(run: run.name, reason: Self.leftAsItIs(error, run: run.name))
        }
        // The comment names the run's place in its grid, which may change while the run does not.
        func specification(_ yaml: String) -> [Substring] { yaml.split(separator: "\n").filter { !$0.hasPrefix("#") } }
        let (before, now) = (specification(stored), specification(run.yaml))
        if before != now {
            let difference = zip(before, now).first { $0 != $1 }
                .map { "'\($0.trimmingCharacters(in: .whitespaces))' in the file, '\($1.trimmingCharacters(in: .whitespaces))' now" }
                ?? "\(before.count) lines in the file, \(now.count) now"
            throw RunError.cannotResume(
                run: run.name,
                reason: "\(path) was written by another specification of the run (\(difference)); it is left as it "
                    + "is: pass another --out to run the new specification, or remove the file to replace it")
        }
        return (reader, status)
    }

    /// A reason a run cannot resume from its file, and what to do about it.
    static func leftAsItIs(_ error: any Error, run: String) -> String {
        "\(error); it is left as it is: move it away or remove it to run '\(run)' again from the start"
    }

    /// The rows of every group of an earlier file that were written before the checkpoint at
    /// `step` (updates applied), to carry into the new file. Evaluations at `step` came before
    /// the checkpoint; training rows at `step` belong to the next update, which the resumed run
    /// makes again.
    private func rows(of reader: RunReader, before step: Int, layout: RunLayout)
        throws -> [String: [(step: Int, values: [String: [Double]])]] {
        var result: [String: [(step: Int, values: [String: [Double]])]] = [:]
        for group in layout.groups {
            let last = group.name == "eval" ? step : step - 1
            let steps = try reader.steps(in: group.name)
            var columns: [(name: String, size: Int, values: [Double])] = []
            for series in group.series {
                // As many rows as steps (RunReader guarantees it), each of the layout's size.
                let values = try reader.series(series.name, in: group.name)
                guard values.shape.dropFirst().reduce(1, *) == series.rowSize else {
                    throw HDF5Error.notResults(file: reader.file.path, reason: "/\(group.name)/\(series.name) has rows of "
                                               + "\(values.shape.dropFirst()), not of the run's \(series.dimensions.map(\.size))")
                }
                columns.append((series.name, series.rowSize, values.values))
            }
            var groupRows: [(step: Int, values: [String: [Double]])] = []
            for (i, s) in steps.enumerated() where s <= last {
                var values: [String: [Double]] = [:]
                for column in columns {
                    values[column.name] = Array(column.values[i * column.size..<(i + 1) * column.size])
                }
                groupRows.append((s, values))
            }
            result[group.name] = groupRows
        }
        return result
    }

    func layout(_ run: RunSpec, trainer: Trainer<Float>) -> RunLayout {
        let network = trainer.model.network
        let layers = network.cells.count
        var layout = RunLayout.standard(layers: layers, timeSteps: trainer.task.sequenceLength,
                                        parameters: trainer.model.parameters.names,
                                        hasAccuracy: { if case .classification = trainer.task.output { true } else { false } }())
        layout.add(RunLayout.Series("decay_rate", dimensions: [.init("layer", size: layers)]), to: "gradients")
        // a one-step workspace is enough to ask the cell whether it has a carry gate
        if let cell = network.cells.first, cell.carryGate(in: cell.makeWorkspace(steps: 1, batch: 1)) != nil {
            for name in ["update_mean", "update_saturated"] {
                layout.add(RunLayout.Series(name, dimensions: [.init("layer", size: layers)]), to: "gates")
            }
        }
        return layout
    }

    func makeTask(_ spec: TaskSpec) throws -> any SequenceTask {
        do {
            switch spec {
            case let .adding(seqLen):
                return try TaskRegistry.builtIn.make("adding", parameters: ["seq_len": .int(seqLen)])
            case let .copy(seqLen, symbols, copyLength):
                guard symbols == 8, copyLength == 10 else {
                    throw RunError.unsupported(key: "task.symbols/task.copy_len",
                                               reason: "the copy task has Arjovsky et al.'s 10 symbols from 8; other values are not supported yet")
                }
                return try TaskRegistry.builtIn.make("copy", parameters: ["seq_len": .int(seqLen)])
            case let .selectiveCopy(seqLen, tokens, vocab):
                return try TaskRegistry.builtIn.make("selective-copy", parameters: [
                    "seq_len": .int(seqLen), "tokens": .int(tokens), "vocab": .int(vocab)])
            case let .spatialRecall(seqLen, size):
                return try TaskRegistry.builtIn.make("spatial-recall", parameters: ["seq_len": .int(seqLen), "size": .int(size)])
            case let .sequences(path, x, y, lengths, _):
                guard x == "x", y == "y", lengths == nil || lengths == "lengths" else {
                    throw RunError.unsupported(key: "task.x/task.y/task.lengths",
                                               reason: "the sequences file must name its datasets x, y and lengths (docs/tasks.md)")
                }
                return try TaskRegistry.builtIn.make("sequences", parameters: ["path": .string(path)])
            }
        } catch let error as TaskError {
            throw RunError.unsupported(key: "task", reason: error.description)
        }
    }

    /// A convolutional cell's feature maps: the task's frames, the model's kernel.
    private func featureMap(for model: ModelSpec, task: any SequenceTask) throws -> FeatureMap {
        guard let frame = task.frame else {
            throw RunError.unsupported(
                key: "model.cell", reason: "'\(model.cell)' is convolutional: it needs a task whose steps are frames "
                    + "(spatial-recall), not '\(task.name)'")
        }
        guard model.inputProjection == nil else {
            throw RunError.unsupported(key: "model.input_projection",
                                       reason: "a convolutional cell reads the task's frames; a projection would flatten them")
        }
        let map = FeatureMap(height: frame.height, width: frame.width, kernelSize: model.kernelSize)
        do { try map.validate() } catch { throw RunError.unsupported(key: "model.kernel_size", reason: "\(error)") }
        return map
    }

    func makeTrainer(_ run: RunSpec, task: any SequenceTask) throws -> Trainer<Float> {
        var generator = SeededGenerator(seed: UInt64(run.seed)).split("model")
        let model = run.model
        let inputLayer: SequenceModel<Float>.InputLayer = model.inputProjection.map { .linear(size: $0) } ?? .none
        let modifiers = StateModifiers(zoneout: model.zoneout, inputDropout: model.variationalDropout.input,
                                       recurrentDropout: model.variationalDropout.recurrent,
                                       gaussianNoise: model.gaussianNoise, learnedNoise: model.gaussianNoiseLearned,
                                       klWeight: model.klWeight)
        var options = model.cellOptions
        var hiddenSize = model.hiddenSize
        if try registry.descriptor(named: model.cell).convolutional {
            options.featureMap = try featureMap(for: model, task: task)
            hiddenSize *= options.featureMap!.pixels
        }
        let network: RecurrentNetwork<Float> = try registry.makeNetwork(
            cell: model.cell, inputSize: model.inputProjection ?? task.inputSize, hiddenSize: hiddenSize,
            configuration: .init(numLayers: model.numLayers, bidirectional: model.bidirectional,
                                 dropout: model.dropout, modifiers: modifiers),
            options: options, using: &generator)
        let sequenceModel = try SequenceModel(inputSize: task.inputSize, inputLayer: inputLayer, network: network,
                                              outputSize: task.output.size,
                                              placement: model.head == .last ? .lastStep : .everyStep,
                                              using: &generator)
        let train = run.train
        let optimizer: any Optimizer<Float> = switch train.optimizer {
        case .sgd: SGD(momentum: train.momentum)
        case .adam: Adam()
        case .rmsprop: RMSprop(momentum: train.momentum)
        }
        let decay: LearningRateSchedule.Decay = switch train.decay {
        case .none: .constant
        case let .cosine(minLR): .cosine(totalSteps: train.steps, minimum: minLR)
        case let .step(every, rate): .step(every: every, factor: rate)
        case let .exponential(every, rate): .exponential(factor: Double.pow(rate, 1 / Double(every)))
        }
        return try Trainer(
            model: sequenceModel, task: task, optimizer: optimizer,
            configuration: .init(batchSize: train.batchSize,
                                 schedule: LearningRateSchedule(base: train.lr, warmupSteps: train.warmup, decay: decay),
                                 clipNorm: train.clip, gradientNormEvery: run.log.gradHEvery ?? 0),
            seed: UInt64(run.seed))
    }
}
