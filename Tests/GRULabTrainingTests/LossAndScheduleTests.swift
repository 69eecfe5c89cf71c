import Foundation
import GRULabTensor
import GRULabTraining
import Testing

/// Losses, learning-rate schedules and the decay-rate fit.
@Suite struct LossAndScheduleTests {
    @Test func crossEntropyIsStableAndMatchesPyTorch() {
        // torch.nn.functional.cross_entropy(torch.tensor([[1., 2., .5], [1000., -1000., 0.]]),
        //                                   torch.tensor([2, 0])) = 0.9821843920539725
        let logits = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 0.5, 1000, -1000, 0])
        let value = Loss.crossEntropy(logits, target: [2, 0])
        #expect(abs(value.loss - 0.9821843920539725) < 1e-15)
        #expect(value.accuracy == 0.5)
        let p = [1.0, 2.0, 0.5].map { exp($0) / (exp(1) + exp(2) + exp(0.5)) }
        #expect(abs(value.gradient[0, 2] - (p[2] - 1) / 2) < 1e-15 && value.gradient[1, 1] == 0)
        // A mask drops the second row and renormalises over the first.
        let masked = Loss.crossEntropy(logits, target: [2, 0], mask: [1, 0])
        #expect(abs(masked.loss - (log(exp(1) + exp(2) + exp(0.5)) - 0.5)) < 1e-14 && masked.accuracy == 0)
        #expect(masked.gradient[1, 0] == 0)
    }

    @Test func meanSquaredErrorAveragesOverCountedRowsAndOutputs() {
        let y = Tensor<Double>(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let value = Loss.meanSquaredError(y, target: [0, 0, 3, 3, 0, 0], mask: [1, 1, 0])
        #expect(value.loss == (1 + 4 + 0 + 1) / 4.0)
        #expect(value.gradient.scalars == [0.5, 1, 0, 0.5, 0, 0])
    }

    @Test func schedulesWarmUpThenDecay() throws {
        let warm = try LearningRateSchedule(base: 0.1, warmupSteps: 4)
        let expected = [0.025, 0.05, 0.075, 0.1, 0.1, 0.1]
        #expect(zip((0..<6).map(warm.rate(at:)), expected).allSatisfy { abs($0 - $1) < 1e-16 })
        let cosine = try LearningRateSchedule(base: 1, warmupSteps: 2, decay: .cosine(totalSteps: 6, minimum: 0))
        #expect(cosine.rate(at: 2) == 1 && abs(cosine.rate(at: 4) - 0.5) < 1e-15 && cosine.rate(at: 6) == 0 && cosine.rate(at: 9) == 0)
        let step = try LearningRateSchedule(base: 1, decay: .step(every: 3, factor: 0.5))
        #expect((0..<7).map(step.rate(at:)) == [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
        let exponential = try LearningRateSchedule(base: 2, decay: .exponential(factor: 0.5))
        #expect(exponential.rate(at: 3) == 0.25)
        #expect(throws: TrainingError.invalidSetting(name: "lr", value: "0.0", expected: "a positive number")) {
            try LearningRateSchedule(base: 0)
        }
    }

    @Test func decayRateOfAGeometricSequenceIsMinusLogRatio() throws {
        let rho = 0.8, steps = 30
        let norms = (0..<steps).map { t in 3 * pow(rho, Double(steps - 1 - t)) }
        let rate = try #require(GradientDecay.rate(norms))
        #expect(abs(rate - -log(rho)) < 1e-12)
        // The reverse direction reads time backwards: its loss-side end is t = 0.
        #expect(abs(try #require(GradientDecay.rate(norms.reversed(), reversed: true)) - -log(rho)) < 1e-12)
        // Exploding gradients give a negative rate; zeros and non-finite entries are skipped.
        let growing = (0..<steps).map { t in pow(1.1, Double(steps - 1 - t)) }
        #expect(abs(try #require(GradientDecay.rate(growing)) - -log(1.1)) < 1e-12)
        #expect(abs(try #require(GradientDecay.rate([0, .nan, 1, exp(0.5), .infinity, exp(1.5)])) - 0.5) < 1e-12)
        #expect(GradientDecay.rate([0, 0, 2]) == nil)
    }
}
