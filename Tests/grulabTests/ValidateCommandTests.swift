import Foundation
import GRULabTestSupport
import Testing

/// `grulab validate` end to end: the built executable, its output and its exit status.
@Suite struct ValidateCommandTests {
    static let minimal = """
        name: demo
        task:
          name: adding
          seq_len: 100
        model:
          cell: gru
          hidden_size: 8

        """

    /// Writes `text` to a new file named `name` and returns its path.
    static func write(_ text: String, as name: String = "x.yaml") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("grulab-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func aValidSweepListsItsRuns() throws {
        let path = try Self.write(Self.minimal + "sweep:\n  model.cell: [gru, lstm]\n  seed: [1, 2]\n")
        let result = try CommandLineTool.run(["validate", path])
        #expect(result.status == 0)
        #expect(result.standardError == "")
        #expect(result.standardOutput == """
            \(path): demo, 4 runs over model.cell (2) × seed (2)
            index  name              model.cell  seed
            0      cell=gru,seed=1   gru         1
            1      cell=gru,seed=2   gru         2
            2      cell=lstm,seed=1  lstm        1
            3      cell=lstm,seed=2  lstm        2

            """)
    }

    @Test func overridesApplyAndReplaceASweptAxis() throws {
        let path = try Self.write(Self.minimal + "sweep:\n  model.cell: [gru, lstm]\n")
        let result = try CommandLineTool.run(["validate", path, "model.cell=mingru", "task.seq_len=200", "train.lr=1e-3"])
        #expect(result.status == 0)
        #expect(result.standardOutput == """
            \(path): demo, 1 run over model.cell (1)
            index  name         model.cell
            0      cell=mingru  mingru

            """)
    }

    @Test func verbosePrintsEachRunsYAMLThatValidatesBack() throws {
        let path = try Self.write(Self.minimal + "sweep:\n  seed: [1, 2]\n")
        let result = try CommandLineTool.run(["validate", path, "--verbose"])
        #expect(result.status == 0)
        let documents = result.standardOutput.components(separatedBy: "---\n").dropFirst()
        #expect(documents.count == 2)
        let second = try Self.write(try #require(documents.last), as: "resolved.yaml")
        let back = try CommandLineTool.run(["validate", second])
        #expect(back.status == 0, "\(back.standardError)")
        #expect(back.standardOutput == "\(second): demo, 1 run\nindex  name\n0      seed=2\n")
    }

    @Test func everyErrorIsPrintedAndTheExitIsTwo() throws {
        let path = try Self.write("""
            name: demo
            task:
              name: adding
              seq_len: 100
            model:
              cell: gru
              hiden_size: 8
            train:
              lr: fast

            """)
        let result = try CommandLineTool.run(["validate", path, "train.steps=0"])
        #expect(result.status == 2)
        #expect(result.standardOutput == "")
        #expect(result.standardError == """
            grulab: \(path):7: model.hiden_size: unknown key; did you mean 'hidden_size'?
            grulab: \(path):9: train.lr: expected a positive number, found 'fast'
            grulab: override 'train.steps=0': train.steps: expected a positive integer, found '0'

            """)
    }

    @Test func anUnknownCellNamesTheKnownOnes() throws {
        let path = try Self.write(Self.minimal.replacingOccurrences(of: "cell: gru", with: "cell: transformer"))
        let result = try CommandLineTool.run(["validate", path])
        #expect(result.status == 2)
        #expect(result.standardError == "grulab: \(path):6: model.cell: unknown cell 'transformer'; known cells: "
            + "gru, d2l-gru, mingru, cellstate-gru, lstm, rnn-tanh, rnn-relu, convgru, convlstm, convrnn-tanh, zoneout-gru, variational-gru, noisy-gru, zoneout-d2l-gru, variational-d2l-gru, noisy-d2l-gru, zoneout-mingru, variational-mingru, noisy-mingru, zoneout-cellstate-gru, variational-cellstate-gru, noisy-cellstate-gru, zoneout-lstm, variational-lstm, noisy-lstm, zoneout-rnn-tanh, variational-rnn-tanh, noisy-rnn-tanh, zoneout-convgru, variational-convgru, noisy-convgru, zoneout-convlstm, variational-convlstm, noisy-convlstm, zoneout-convrnn-tanh, variational-convrnn-tanh, noisy-convrnn-tanh\n")
    }

    @Test func aSyntaxErrorNamesTheFileAndLine() throws {
        let path = try Self.write("name: demo\ntask: {name: adding\n")
        let result = try CommandLineTool.run(["validate", path])
        #expect(result.status == 2)
        #expect(result.standardError == "grulab: \(path):3: YAML syntax error: while parsing a flow mapping did not find expected ',' or '}'\n")
    }

    @Test func anUnreadableFileExitsTwo() throws {
        let result = try CommandLineTool.run(["validate", "/nonexistent/x.yaml"])
        #expect(result.status == 2)
        #expect(result.standardError == "grulab: /nonexistent/x.yaml: cannot read the experiment file: no such file\n")
    }

    @Test func aBadOverrideIsNamed() throws {
        let path = try Self.write(Self.minimal)
        let result = try CommandLineTool.run(["validate", path, "train.lr=fast"])
        #expect(result.status == 2)
        #expect(result.standardError == "grulab: override 'train.lr=fast': train.lr: expected a positive number, found 'fast'\n")
    }
}
