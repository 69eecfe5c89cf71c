import Foundation
import GRULabParity
import GRULabTensor
import GRULabTestSupport
import Testing

/// Every fixture, shared and GRULab's own, in both precisions.
@Suite struct ParityTests {
    static let fixtures = Fixtures.all(in: "parity") + Fixtures.all(in: "parity-conv") + Fixtures.all(in: "parity-extra")

    @Test func everyCellHasAFixture() throws {
        let cells = Set(try Self.fixtures.map { try ParityFixture(contentsOf: $0).cell })
        #expect(cells == ["gru", "d2l-gru", "mingru", "cellstate-gru", "lstm", "rnn-tanh", "rnn-relu",
                          "convgru", "convlstm", "convrnn-tanh"])
        let zoneouts = try Self.fixtures.compactMap { try ParityFixture(contentsOf: $0).zoneout }
        #expect(zoneouts.sorted() == [0.25, 0.6])
    }

    @Test(arguments: fixtures)
    func float64MatchesPyTorch(fixture url: URL) throws {
        let fixture = try ParityFixture(contentsOf: url)
        let comparisons = try ParityCheck<Double>().run(fixture)
        #expect(comparisons.count == fixture.expected.count)
        for c in comparisons {
            #expect(c.passed, "\(url.lastPathComponent) \(c.name): \(c.maxError) at scale \(c.scale)")
        }
    }

    @Test(arguments: fixtures)
    func float32MatchesPyTorch(fixture url: URL) throws {
        let comparisons = try ParityCheck<Float>().run(ParityFixture(contentsOf: url))
        for c in comparisons {
            #expect(c.passed, "\(url.lastPathComponent) \(c.name): \(c.maxError) at scale \(c.scale)")
        }
    }

    @Test func aTamperedValueFails() throws {
        let fixture = try ParityFixture(contentsOf: Fixtures.directory("parity").appendingPathComponent("gru.json"))
        let comparisons = try ParityCheck<Double>().run(fixture)
        let output = try #require(comparisons.first { $0.name == "output" })
        #expect(output.maxError < 1e-15)
        let tampered = try Fixtures.tampered("gru.json") { root in
            var expected = root["expected"] as! [String: Any]
            var out = expected["output"] as! [[[Double]]]
            out[2][1][3] += 1e-6
            expected["output"] = out
            root["expected"] = expected
        }
        let failing = try ParityCheck<Double>().run(ParityFixture(contentsOf: tampered))
        #expect(failing.first { $0.name == "output" }?.passed == false)
        #expect(failing.filter { !$0.passed }.map(\.name) == ["output"])
    }

    @Test func theCurveFixtureIsTheVanishingGradient() throws {
        let fixture = try ParityFixture(contentsOf: Fixtures.directory("parity").appendingPathComponent("gru-grad-h-norm.json"))
        let comparisons = try ParityCheck<Double>().run(fixture)
        #expect(comparisons.map(\.name) == ["grad_h_norm"])
        #expect(comparisons[0].passed)
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let change: @Sendable (inout [String: Any]) -> Void
        let message: String
        var testDescription: String { message }
    }

    static let badInputs = [
        BadInput(change: { $0["cell"] = "grru" },
                 message: "bad.json: unknown cell 'grru'; known cells: "
                 + "gru, d2l-gru, mingru, cellstate-gru, lstm, rnn-tanh, rnn-relu, convgru, convlstm, convrnn-tanh, zoneout-gru, variational-gru, noisy-gru, zoneout-d2l-gru, variational-d2l-gru, noisy-d2l-gru, zoneout-mingru, variational-mingru, noisy-mingru, zoneout-cellstate-gru, variational-cellstate-gru, noisy-cellstate-gru, zoneout-lstm, variational-lstm, noisy-lstm, zoneout-rnn-tanh, variational-rnn-tanh, noisy-rnn-tanh, zoneout-convgru, variational-convgru, noisy-convgru, zoneout-convlstm, variational-convlstm, noisy-convlstm, zoneout-convrnn-tanh, variational-convrnn-tanh, noisy-convrnn-tanh"),
        BadInput(change: { $0.removeValue(forKey: "x") }, message: "bad.json: missing key 'x'"),
        BadInput(change: { $0["hidden_size"] = 4.5 }, message: "bad.json: key 'hidden_size': expected a positive integer"),
        BadInput(change: { $0["bidirectional"] = 1 }, message: "bad.json: key 'bidirectional': expected true or false"),
        BadInput(change: { $0["seq_len"] = 6 }, message: "bad.json: key 'x': expected shape [6, 2, 3], found [5, 2, 3]"),
        BadInput(change: { var p = $0["params"] as! [String: Any]; p.removeValue(forKey: "weight_hh_l0"); $0["params"] = p },
                 message: "bad.json: missing key 'params.weight_hh_l0'"),
        BadInput(change: { var p = $0["params"] as! [String: Any]; p["bias_ih_l0"] = [1.0, 2.0]; $0["params"] = p },
                 message: "bad.json: key 'params.bias_ih_l0': expected shape [12], found [2]"),
    ]

    @Test(arguments: badInputs)
    func badInputIsAClearError(bad: BadInput) throws {
        let url = try Fixtures.tampered("gru.json", as: "bad.json", bad.change)
        let error = #expect(throws: ParityError.self) {
            try ParityCheck<Double>().run(ParityFixture(contentsOf: url))
        }
        #expect(error?.description == bad.message)
    }

    @Test func unreadableFilesAreClearErrors() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/none.json")
        #expect(throws: ParityError.unreadable(file: "none.json", reason: "no such file")) {
            try ParityFixture(contentsOf: missing)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let array = dir.appendingPathComponent("array.json")
        try Data("[1, 2]".utf8).write(to: array)
        #expect(throws: ParityError.unreadable(file: "array.json", reason: "the top level is not a JSON object")) {
            try ParityFixture(contentsOf: array)
        }
    }

    /// Found by scripts/fuzz (parity): an expected gradient with one row too few trapped when
    /// it was reshaped to the computed gradient's shape.
    @Test func anExpectedTensorOfAnotherShapeIsAnError() throws {
        let tampered = try Fixtures.tampered("gru.json") { root in
            var expected = root["expected"] as! [String: Any]
            var grad = expected["grad"] as! [String: Any]
            grad["weight_hh_l0"] = (grad["weight_hh_l0"] as! [[Double]]).dropLast().map { $0 }
            expected["grad"] = grad
            root["expected"] = expected
        }
        #expect(throws: ParityError.invalidValue(file: "gru.json", key: "expected.grad.weight_hh_l0",
                                                 expected: "shape [12, 4] (48 values), found [11, 4]")) {
            try ParityCheck<Double>().run(ParityFixture(contentsOf: tampered))
        }
    }

    /// Sizes the file's parameters cannot fill are refused before a network of those sizes is
    /// allocated (the tensors sized by H alone grow as H, the network as H²: a fixture of a few
    /// megabytes could ask for terabytes).
    @Test func sizesLargerThanTheParametersAreAnError() throws {
        let tampered = try Fixtures.tampered("gru.json") { root in
            let hidden = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0.5, count: 64), count: 1), count: 1)
            root["hidden_size"] = 64
            root["seq_len"] = 1
            root["batch"] = 1
            root["x"] = [[[0.1, 0.2, 0.3]]]
            root["h0"] = "zeros"
            root["loss_weights"] = ["output": hidden, "h_n": hidden]
            root["expected"] = ["output": hidden, "h_n": hidden, "loss": 1.0, "grad": [String: Any]()]
        }
        #expect(throws: ParityError.invalidValue(
            file: "gru.json", key: "input_size, hidden_size, num_layers",
            expected: "sizes the parameters fill: input_size 3, hidden_size 64, num_layers 1 need at least "
                + "192 weights, the file's params hold 108 numbers")) {
            try ParityCheck<Double>().run(ParityFixture(contentsOf: tampered))
        }
    }
}
