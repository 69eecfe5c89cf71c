import GRULabCells
import GRULabTasks
import GRULabTensor
import GRULabTraining
import Testing

/// The training step: determinism, instrumentation, non-finite stops, and learning.
@Suite struct TrainerTests {
    static func trainer(task: any SequenceTask, cell: String = "gru", hidden: Int = 8, lr: Double = 1e-2,
                        batchSize: Int = 16, every: Int = 0, clip: Double? = 1, seed: UInt64 = 1) throws -> Trainer<Float> {
        var g = SeededGenerator(seed: seed).split("model")
        let network: RecurrentNetwork<Float> = try CellRegistry.builtIn.makeNetwork(
            cell: cell, inputSize: task.inputSize, hiddenSize: hidden, using: &g)
        let model = try SequenceModel(inputSize: task.inputSize, network: network, outputSize: task.output.size,
                                      placement: task.placement, using: &g)
        return try Trainer(model: model, task: task, optimizer: Adam<Float>(),
                           configuration: .init(batchSize: batchSize, schedule: LearningRateSchedule(base: lr),
                                                clipNorm: clip, gradientNormEvery: every),
                           seed: seed)
    }

    @Test func twoIdenticalTrainingsGiveBitIdenticalParameters() throws {
        let task = try CopyTask(delay: 3, evaluationSize: 8)
        var a = try Self.trainer(task: task), b = try Self.trainer(task: task)
        for _ in 0..<4 {
            let (ra, rb) = (try a.trainStep(), try b.trainStep())
            #expect(ra == rb)
        }
        #expect(a.model.parameters == b.model.parameters && a.step == 4)
        var c = try Self.trainer(task: task, seed: 2)
        _ = try c.trainStep()
        #expect(c.model.parameters != a.model.parameters)
    }

    @Test func reportsInstrumentationOnTheRecordedSteps() throws {
        let task = try AddingTask(sequenceLength: 12, evaluationSize: 8)
        var trainer = try Self.trainer(task: task, every: 2)
        let reports = try (0..<3).map { _ in try trainer.trainStep() }
        #expect(reports.map(\.step) == [0, 1, 2])
        #expect(reports[0].hiddenGradientNorms?.count == 1 && reports[0].hiddenGradientNorms?[0].count == 12)
        #expect(reports[1].hiddenGradientNorms == nil && reports[1].decayRates == nil)
        #expect(reports[2].decayRates?.count == 1 && reports[2].decayRates?[0] != nil)
        let r = reports[0]
        #expect(r.parameterNames == trainer.model.parameters.names)
        #expect(abs(r.gradientNorm - r.parameterGradientNorms.reduce(0) { $0 + $1 * $1 }.squareRoot()) < 1e-9)
        #expect(r.learningRate == 1e-2 && r.accuracy == nil && r.loss > 0)
        // The loss sits on the last step only, so dL/dh_t is largest there.
        let norms = r.hiddenGradientNorms![0]
        #expect(norms.last! == norms.max()!)
    }

    @Test func aNonFiniteLossStopsWithoutAnUpdate() throws {
        let task = try AddingTask(sequenceLength: 5, evaluationSize: 4)
        var trainer = try Self.trainer(task: task)
        var g = SeededGenerator(seed: 3)
        var batch = task.batch(size: 4, using: &g)
        batch.x.withUnsafeMutableBufferPointer { $0[3] = .nan }
        let before = trainer.model.parameters
        #expect(throws: TrainingError.nonFinite(step: 0, what: "loss")) { try trainer.trainStep(on: batch) }
        #expect(trainer.model.parameters == before && trainer.step == 0)
        #expect(TrainingError.nonFinite(step: 7, what: "loss").description == "non-finite loss at step 7")
    }

    @Test func evaluationInChunksEqualsOnePass() throws {
        let task = try SelectiveCopyTask(contextLength: 6, tokens: 2, vocabulary: 3, evaluationSize: 10)
        let trainer = try Self.trainer(task: task)
        let whole = try trainer.evaluate(chunk: 10), parts = try trainer.evaluate(chunk: 3)
        #expect(abs(whole.loss - parts.loss) < 1e-5 && abs(whole.accuracy! - parts.accuracy!) < 1e-6)
    }

    @Test func rejectsAModelThatDoesNotFitTheTask() throws {
        let adding = try AddingTask(sequenceLength: 5, evaluationSize: 4)
        let copyTrainer = try Self.trainer(task: try CopyTask(delay: 2, evaluationSize: 4))
        #expect(throws: TrainingError.modelDoesNotFitTask("the model takes 10 input features, the task 'adding' gives 2")) {
            try Trainer(model: copyTrainer.model, task: adding, optimizer: SGD<Float>(), configuration: copyTrainer.configuration, seed: 1)
        }
    }

    /// A GRU learns the adding problem at T = 20 far below the 1/6 baseline.
    @Test func aGRULearnsTheAddingProblem() throws {
        let task = try AddingTask(sequenceLength: 20, evaluationSize: 256)
        var trainer = try Self.trainer(task: task, hidden: 16, lr: 1e-2, batchSize: 32, clip: 1)
        let before = try trainer.evaluate().loss
        for _ in 0..<300 { _ = try trainer.trainStep() }
        let after = try trainer.evaluate().loss
        print("adding T=20 GRU(16): eval MSE \(before) -> \(after) after 300 steps (baseline \(task.baseline.value))")
        #expect(after < task.baseline.value / 10, "eval MSE \(after)")
    }
}
