import GRULabCells
import GRULabTasks
import GRULabTensor

/// Trains a ``SequenceModel`` on a task, one instrumented step at a time.
///
/// One step: draw a batch, forward, the task's loss, backward through time (recording
/// `||dL/dh_t||` every ``Configuration/gradientNormEvery`` steps), a check that the loss and the
/// gradients are finite, clipping by global norm, the optimizer's update at the scheduled rate.
///
/// Deterministic given the seed: training batches come from `seed.split("data")`, the held-out
/// set from `seed.split("evaluation")`, dropout masks from `seed.split("dropout")`. Two trainers
/// built alike give bit-identical parameters.
public struct Trainer<Scalar: TensorScalar>: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// `N`, sequences per batch.
        public var batchSize: Int
        public var schedule: LearningRateSchedule
        /// The global-norm clipping threshold; `nil` for none.
        public var clipNorm: Double?
        /// Record `||dL/dh_t||` on steps `0, k, 2k, …`; 0 never.
        public var gradientNormEvery: Int

        public init(batchSize: Int, schedule: LearningRateSchedule, clipNorm: Double? = nil,
                    gradientNormEvery: Int = 0) {
            self.batchSize = batchSize
            self.schedule = schedule
            self.clipNorm = clipNorm
            self.gradientNormEvery = gradientNormEvery
        }
    }

    public var model: SequenceModel<Scalar>
    public var optimizer: any Optimizer<Scalar>
    public let task: any SequenceTask
    public let configuration: Configuration
    /// The number of steps done; the index of the next step. Settable, with the model, the
    /// optimizer and the generators, to resume from a checkpoint.
    public var step = 0
    /// The stream of training batches.
    public var dataGenerator: SeededGenerator
    /// The stream of dropout masks.
    public var dropoutGenerator: SeededGenerator
    /// The task's fixed held-out set.
    public let evaluationSet: TaskBatch

    /// - Throws: ``TrainingError`` when the model's input or output sizes or loss placement do
    ///   not fit the task, or a setting is out of range.
    public init(model: SequenceModel<Scalar>, task: any SequenceTask, optimizer: any Optimizer<Scalar>,
                configuration: Configuration, seed: UInt64) throws(TrainingError) {
        guard model.inputSize == task.inputSize else {
            throw .modelDoesNotFitTask("the model takes \(model.inputSize) input features, the task '\(task.name)' gives \(task.inputSize)")
        }
        guard model.outputSize == task.output.size else {
            throw .modelDoesNotFitTask("the model has \(model.outputSize) outputs, the task '\(task.name)' needs \(task.output.size)")
        }
        guard model.placement == task.placement else {
            throw .modelDoesNotFitTask("the model's head reads the \(model.placement.rawValue), the task '\(task.name)' scores the \(task.placement.rawValue)")
        }
        guard configuration.batchSize >= 1 else {
            throw .invalidSetting(name: "batch_size", value: "\(configuration.batchSize)", expected: "an integer >= 1")
        }
        guard configuration.gradientNormEvery >= 0 else {
            throw .invalidSetting(name: "grad_h_every", value: "\(configuration.gradientNormEvery)", expected: "an integer >= 0")
        }
        if let clip = configuration.clipNorm, !(clip > 0 && clip.isFinite) {
            throw .invalidSetting(name: "clip_norm", value: "\(clip)", expected: "a positive number")
        }
        self.model = model
        self.task = task
        self.optimizer = optimizer
        self.configuration = configuration
        let root = SeededGenerator(seed: seed)
        dataGenerator = root.split("data")
        dropoutGenerator = root.split("dropout")
        evaluationSet = task.evaluationSet(using: root.split("evaluation"))
    }

    /// One step on a batch drawn from the task.
    public mutating func trainStep() throws(TrainingError) -> StepReport {
        let batch = task.batch(size: configuration.batchSize, using: &dataGenerator)
        return try trainStep(on: batch)
    }

    /// One step on `batch`.
    ///
    /// - Throws: ``TrainingError/nonFinite(step:what:)`` when the loss or a gradient is NaN or
    ///   infinite; the parameters and the optimizer stay as they were, and the step is not counted.
    // Specialised entry points, as RecurrentNetwork's: called from other modules, the optimizer
    // and the loss would otherwise copy every scalar through value witnesses.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func trainStep(on batch: TaskBatch) throws(TrainingError) -> StepReport {
        let forward: SequenceModel<Scalar>.Forward
        do {
            forward = try model.forward(Tensor<Scalar>(batch.x), lengths: batch.lengths, training: true,
                                        generator: &dropoutGenerator)
        } catch {
            throw .invalidBatch("\(error)")
        }
        let value: LossValue<Scalar> = Loss.task(forward.output, batch: batch, placement: task.placement)
        guard value.loss.isFinite else { throw .nonFinite(step: step, what: "loss") }
        let every = configuration.gradientNormEvery
        var gradients: ParameterSet<Scalar>
        var hidden: [[Double]]? = nil
        var rates: [Double?]? = nil
        var gates: [GateStatistics?]? = nil
        if every > 0, step % every == 0 {
            gates = model.network.gateStatistics(of: forward.network)
            let d = model.network.configuration.directions
            var recorder = GradientNormRecorder<Scalar>(layers: model.network.configuration.numLayers,
                                                        directions: d, steps: batch.steps)
            gradients = model.backward(forward, outputGradient: value.gradient, observer: &recorder)
            let norms = recorder.norms
            hidden = norms
            rates = norms.enumerated().map { GradientDecay.rate($0.element, reversed: $0.offset % d == 1) }
        } else {
            var none = NoBackwardObserver<Scalar>()
            gradients = model.backward(forward, outputGradient: value.gradient, observer: &none)
        }
        addNoiseKL(to: &gradients)
        let norms = gradients.norms
        let globalNorm = norms.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard globalNorm.isFinite else {
            // Which parameters, so that a diverging run's status says where it blew up.
            let names = zip(gradients.names, norms).filter { !$0.1.isFinite }.map(\.0)
            let shown = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " and \(names.count - 3) more" : "")
            throw .nonFinite(step: step, what: names.isEmpty ? "gradient norm" : "gradient of \(shown)")
        }
        if let clip = configuration.clipNorm { gradients.clipGlobalNorm(to: clip) }
        let rate = configuration.schedule.rate(at: step)
        var parameters = model.parameters
        optimizer.update(&parameters, gradients: gradients, learningRate: rate)
        model.parameters = parameters
        defer { step += 1 }
        return StepReport(step: step, loss: value.loss, accuracy: value.accuracy, gradientNorm: globalNorm,
                          learningRate: rate, parameterGradientNorms: norms, parameterNames: parameters.names,
                          hiddenGradientNorms: hidden, decayRates: rates, gateStatistics: gates)
    }

    /// With learned Gaussian noise, the gradient of `klWeight · KL(α)` joins `log_alpha`'s
    /// (``RecurrentNetwork/noiseKL()``); the reported loss stays the task's, comparable across
    /// cells and with the task's baseline.
    private func addNoiseKL(to gradients: inout ParameterSet<Scalar>) {
        guard let kl = model.network.noiseKL() else { return }
        let weight = Scalar(model.network.configuration.modifiers.klWeight)
        for entry in kl.gradient.entries where entry.name.hasPrefix("log_alpha") {
            let name = "rnn." + entry.name
            guard let current = gradients[name], let extra = kl.gradient[entry.name] else { continue }
            gradients[name] = Tensor(shape: current.shape,
                                     scalars: zip(current.scalars, extra.scalars).map { $0 + weight * $1 })
        }
    }

    /// The loss and accuracy on the held-out set, in chunks of at most `chunk` sequences
    /// (weighted so the result equals one pass over the whole set), without dropout.
    public func evaluate(chunk: Int = 256) throws(TrainingError) -> Evaluation {
        try evaluate(on: evaluationSet, chunk: chunk)
    }

    /// The loss and accuracy on `batch`, in chunks of at most `chunk` sequences.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func evaluate(on batch: TaskBatch, chunk: Int = 256) throws(TrainingError) -> Evaluation {
        var loss = 0.0, correct = 0.0, weight = 0.0
        var start = 0
        while start < batch.size {
            let part = batch.sequences(start..<min(start + max(chunk, 1), batch.size), placement: task.placement)
            let output: Tensor<Scalar>
            do {
                output = try model.evaluate(Tensor<Scalar>(part.x), lengths: part.lengths)
            } catch {
                throw .invalidBatch("\(error)")
            }
            let value: LossValue<Scalar> = Loss.task(output, batch: part, placement: task.placement)
            let w = part.lossWeight(placement: task.placement)
            loss += value.loss * w
            correct += (value.accuracy ?? 0) * w
            weight += w
            start += max(chunk, 1)
        }
        let isClassification = if case .classes = batch.target { true } else { false }
        return Evaluation(loss: weight > 0 ? loss / weight : 0,
                          accuracy: isClassification ? (weight > 0 ? correct / weight : 0) : nil)
    }
}

extension TaskBatch {
    /// The sequences `range` of this batch; `placement` says how the targets are laid out.
    func sequences(_ range: Range<Int>, placement: LossPlacement) -> TaskBatch {
        let (t, n, c, m) = (steps, size, x.shape[2], range.count)
        if range == 0..<n { return self }
        var xs = [Double](repeating: 0, count: t * m * c)
        x.withUnsafeBufferPointer { src in
            for step in 0..<t {
                for (b, i) in range.enumerated() {
                    let from = (step * n + i) * c, to = (step * m + b) * c
                    for f in 0..<c { xs[to + f] = src[from + f] }
                }
            }
        }
        let targetSteps = placement == .everyStep ? t : 1
        let target: Target
        switch self.target {
        case let .values(v): target = .values(Self.rows(v, range: range, n: n, steps: targetSteps))
        case let .classes(v): target = .classes(Self.rows(v, range: range, n: n, steps: targetSteps))
        }
        return TaskBatch(x: Tensor(shape: [t, m, c], scalars: xs), lengths: lengths.map { Array($0[range]) },
                         target: target, mask: mask.map { Self.rows($0, range: range, n: n, steps: t) })
    }

    /// The rows of `values`, laid out `[steps, N, K]`, that belong to the sequences `range`.
    private static func rows<E>(_ values: [E], range: Range<Int>, n: Int, steps: Int) -> [E] {
        let k = values.count / (steps * n)
        var out: [E] = []
        out.reserveCapacity(steps * range.count * k)
        for step in 0..<steps {
            for i in range { out.append(contentsOf: values[((step * n + i) * k)..<((step * n + i + 1) * k)]) }
        }
        return out
    }

    /// The total weight of the loss: the sequences (last step) or the counted steps (every step).
    func lossWeight(placement: LossPlacement) -> Double {
        guard placement == .everyStep else { return Double(size) }
        if let mask { return mask.reduce(0, +) }
        if let lengths { return Double(lengths.reduce(0, +)) }
        return Double(steps * size)
    }
}
