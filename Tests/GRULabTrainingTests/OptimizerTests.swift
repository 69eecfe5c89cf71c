import Foundation
import GRULabCells
import GRULabTensor
import GRULabTraining
import Testing

/// Each optimizer against PyTorch 2.13 (float64) on a tiny vector, three steps.
///
/// The expected values were made with
/// `p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))`, `opt = torch.optim.X([p], ...)`,
/// and for each gradient `g` below: `p.grad = torch.tensor(g); opt.step()`, printing `p` with
/// `repr` (torch.set_default_dtype(torch.float64)).
@Suite struct OptimizerTests {
    static let gradients: [[Double]] = [[0.1, -0.2, 0.3], [-0.4, 0.5, 0.05], [0.2, 0.2, -0.1]]

    /// Two parameters, so the update runs across entries of the flat storage.
    static func run(_ optimizer: some Optimizer<Double>, learningRate: Double) -> [[Double]] {
        var optimizer = optimizer
        var parameters = ParameterSet<Double>([("a", Tensor(shape: [2], scalars: [0.5, -1.0])),
                                               ("b", Tensor(shape: [1, 1], scalars: [2.0]))])
        return gradients.map { g in
            let gradient = ParameterSet<Double>([("a", Tensor(shape: [2], scalars: Array(g[0..<2]))),
                                                 ("b", Tensor(shape: [1, 1], scalars: [g[2]]))])
            optimizer.update(&parameters, gradients: gradient, learningRate: learningRate)
            return parameters.storage
        }
    }

    static func expectClose(_ got: [[Double]], _ expected: [[Double]], _ name: String) {
        for (g, e) in zip(got.joined(), expected.joined()) {
            #expect(abs(g - e) <= 1e-14 * max(1, abs(e)), "\(name): \(g) vs torch \(e)")
        }
    }

    @Test func sgdWithMomentum() {
        // torch.optim.SGD(lr=0.1, momentum=0.9)
        Self.expectClose(Self.run(SGD<Double>(momentum: 0.9), learningRate: 0.1),
                         [[0.49, -0.98, 1.97], [0.521, -1.012, 1.938], [0.5289, -1.0608, 1.9192]], "sgd")
        // torch.optim.SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
        Self.expectClose(Self.run(SGD<Double>(momentum: 0.9, weightDecay: 0.01, nesterov: true), learningRate: 0.1),
                         [[0.48005, -0.9601, 1.9392], [0.546632905, -1.03626581, 1.90009552],
                          [0.5319509619805, -1.096710223961, 1.886536586512]], "sgd nesterov")
    }

    @Test func adamWithPyTorchDefaults() {
        // torch.optim.Adam(lr=0.01)
        Self.expectClose(Self.run(Adam<Double>(), learningRate: 0.01),
                         [[0.4900000009999999, -0.9900000005, 1.9900000003333334],
                          [0.4955950357485128, -0.9944221530217233, 1.9821667272150607],
                          [0.49669677234642673, -0.9998515828128192, 1.9784121864182729]], "adam")
    }

    @Test func rmspropWithPyTorchDefaults() {
        // torch.optim.RMSprop(lr=0.01)
        Self.expectClose(Self.run(RMSprop<Double>(), learningRate: 0.01),
                         [[0.40000009999990005, -0.9000000499999751, 1.9000000333333222],
                          [0.49704287266865177, -0.9929118010156807, 1.8834795737804584],
                          [0.4532111545062486, -1.0279025060930336, 1.9149947422194693]], "rmsprop")
        // torch.optim.RMSprop(lr=0.01, momentum=0.9)
        Self.expectClose(Self.run(RMSprop<Double>(momentum: 0.9), learningRate: 0.01),
                         [[0.40000009999990005, -0.9000000499999751, 1.9000000333333222],
                          [0.4070429626685618, -0.9029118460156582, 1.7934796037804486],
                          [0.36954982090795424, -0.9405231675071261, 1.7291263856218733]], "rmsprop momentum")
    }

    /// A checkpointed optimizer continues exactly as one that never stopped.
    @Test func optimizerStateSurvivesACheckpoint() throws {
        var parameters = ParameterSet<Double>([("a", Tensor(shape: [3], scalars: [0.5, -1.0, 2.0]))])
        let gradient = { (g: [Double]) in ParameterSet<Double>([("a", Tensor(shape: [3], scalars: g))]) }
        var adam = Adam<Double>()
        adam.update(&parameters, gradients: gradient(Self.gradients[0]), learningRate: 0.01)
        var restored = try JSONDecoder().decode(Adam<Double>.self, from: JSONEncoder().encode(adam))
        #expect(restored == adam && restored.step == 1)
        var p1 = parameters, p2 = parameters
        adam.update(&p1, gradients: gradient(Self.gradients[1]), learningRate: 0.01)
        restored.update(&p2, gradients: gradient(Self.gradients[1]), learningRate: 0.01)
        #expect(p1 == p2)
    }

    @Test func clippingByGlobalNormAsPyTorch() {
        // torch.nn.utils.clip_grad_norm_([p], 1.0) with p.grad = [3, 4] returns 5 and leaves
        // [0.599999880000024, 0.799999840000032].
        var g = ParameterSet<Double>([("a", Tensor(shape: [1], scalars: [3])), ("b", Tensor(shape: [1], scalars: [4]))])
        #expect(g.norms == [3, 4])
        #expect(g.clipGlobalNorm(to: 1) == 5)
        #expect(abs(g.storage[0] - 0.599999880000024) < 1e-15 && abs(g.storage[1] - 0.799999840000032) < 1e-15)
        #expect(g.clipGlobalNorm(to: 10) == (0.599999880000024 * 0.599999880000024 + 0.799999840000032 * 0.799999840000032).squareRoot())
        #expect(abs(g.storage[0] - 0.599999880000024) < 1e-15)   // under the threshold: unchanged
    }
}
