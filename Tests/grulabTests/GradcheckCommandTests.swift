import GRULabTestSupport
import Testing

/// `grulab gradcheck` end to end.
@Suite struct GradcheckCommandTests {
    @Test func namedCellsPassInBothSettings() throws {
        let result = try CommandLineTool.run(["gradcheck", "--cell", "gru", "--cell", "zoneout-lstm"])
        #expect(result.status == 0, "\(result.standardOutput)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.hasSuffix("  ok") })
        #expect(lines[0].hasPrefix("gru           1 layer, evaluation: 6 tensors, worst "))
        #expect(lines[3].hasPrefix("zoneout-lstm  2 layers bidirectional, lengths [4, 2, 3], training masks: 19 tensors"))
    }

    @Test func anUnknownCellExitsTwo() throws {
        let result = try CommandLineTool.run(["gradcheck", "--cell", "gru", "--cell", "nope"])
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.hasPrefix("grulab: unknown cell 'nope'; known cells: gru, d2l-gru,"))
    }
}
