import Foundation
import GRULabTestSupport
import Testing

/// `grulab parity` end to end: the built executable, its output and its exit status.
@Suite struct ParityCommandTests {
    static let shared = Fixtures.all(in: "parity") + Fixtures.all(in: "parity-conv")

    @Test(arguments: ["float64", "float32"])
    func everySharedFixturePasses(precision: String) throws {
        let result = try CommandLineTool.run(["parity", "--precision", precision] + Self.shared.map(\.path))
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardError.isEmpty)
        for url in Self.shared {
            #expect(result.standardOutput.contains("\(url.path): "))
        }
        #expect(!result.standardOutput.contains("FAILED"))
    }

    @Test func theReportNamesEveryComparedTensor() throws {
        let url = Fixtures.directory("parity").appendingPathComponent("lstm.json")
        let result = try CommandLineTool.run(["parity", url.path])
        let names = result.standardOutput.split(separator: "\n").dropFirst().map {
            $0.split(separator: " ").first.map(String.init) ?? ""
        }
        #expect(names == ["output", "h_n", "loss", "grad.bias_hh_l0", "grad.bias_ih_l0", "grad.h0",
                          "grad.weight_hh_l0", "grad.weight_ih_l0", "grad.x"])
    }

    @Test func aFailingComparisonExitsOne() throws {
        let tampered = try Fixtures.tampered("rnn-tanh.json") { root in
            var expected = root["expected"] as! [String: Any]
            expected["loss"] = (expected["loss"] as! Double) + 1e-3
            root["expected"] = expected
        }
        let result = try CommandLineTool.run(["parity", tampered.path])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("rnn-tanh, float64: FAILED"))
        #expect(result.standardOutput.split(separator: "\n").filter { $0.hasSuffix("FAILED") }.count == 2)
    }

    @Test func anUnreadableFileExitsTwoWithTheFileNamed() throws {
        let result = try CommandLineTool.run(["parity", "/nonexistent/gru.json"])
        #expect(result.status == 2)
        #expect(result.standardError == "grulab: gru.json: cannot read the fixture: no such file\n")
    }

    @Test func anUnknownCellExitsTwo() throws {
        let bad = try Fixtures.tampered("gru.json", as: "custom.json") { $0["cell"] = "my-gru" }
        let result = try CommandLineTool.run(["parity", bad.path])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("grulab: custom.json: unknown cell 'my-gru'; known cells: gru, d2l-gru"))
    }

    @Test func anUnknownPrecisionIsAUsageError() throws {
        let result = try CommandLineTool.run(["parity", "--precision", "float16", "x.json"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("The value 'float16' is invalid for '--precision <precision>'"))
    }
}

/// `grulab cells` end to end.
@Suite struct CellsCommandTests {
    @Test func theListHasEveryBuiltInCell() throws {
        let result = try CommandLineTool.run(["cells"])
        #expect(result.status == 0)
        #expect(result.standardOutput.split(separator: "\n").map { String($0.split(separator: " ")[0]) }
                == ["gru", "d2l-gru", "mingru", "cellstate-gru", "lstm", "rnn-tanh", "rnn-relu",
                    "convgru", "convlstm", "convrnn-tanh",
                    "zoneout-gru", "variational-gru", "noisy-gru", "zoneout-d2l-gru", "variational-d2l-gru", "noisy-d2l-gru",
                    "zoneout-mingru", "variational-mingru", "noisy-mingru",
                    "zoneout-cellstate-gru", "variational-cellstate-gru", "noisy-cellstate-gru",
                    "zoneout-lstm", "variational-lstm", "noisy-lstm",
                    "zoneout-rnn-tanh", "variational-rnn-tanh", "noisy-rnn-tanh",
                    "zoneout-convgru", "variational-convgru", "noisy-convgru",
                    "zoneout-convlstm", "variational-convlstm", "noisy-convlstm",
                    "zoneout-convrnn-tanh", "variational-convrnn-tanh", "noisy-convrnn-tanh"])
    }

    @Test func oneCellShowsEquationsAndParameterShapes() throws {
        let result = try CommandLineTool.run(["cells", "gru"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("    n  = φ(W_in x + b_in + r ⊙ (W_hn h + b_hn))"))
        #expect(result.standardOutput.contains("    weight_hh  [3H, H]"))
        #expect(result.standardOutput.contains("reference: torch.nn.GRU; Cho et al. 2014"))
    }

    @Test func anUnknownCellListsTheKnownOnes() throws {
        let result = try CommandLineTool.run(["cells", "grru"])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("grulab: unknown cell 'grru'; known cells: gru, d2l-gru, mingru, cellstate-gru, lstm, rnn-tanh, rnn-relu, convgru, convlstm,"))
    }
}
