import Foundation
import GRULabHDF5
import GRULabTestSupport
import Testing

/// A run of a sweep that diverges to infinity stops with its status recorded (the step and
/// which quantity), the other runs finish, and the exit status says not all completed
/// (docs/reliability.md).
@Suite struct NumericalFaultTests {
    @Test func aDivergingRunStopsAndTheOthersFinish() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("diverge.yaml")
        try """
            name: diverge
            task: {name: adding, seq_len: 16}
            model: {cell: gru, hidden_size: 8}
            train: {steps: 50, batch_size: 8, optimizer: sgd, eval_every: 25}
            log: {every: 1}
            sweep: {train.lr: [0.01, 1e30, 0.02]}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let arguments = ["run", file, "--out", directory.path("out")]
        let result = try CommandLineTool.run(arguments)
        #expect(result.status == 1)
        let diverged = directory.path("out/diverge/lr=1e+30.h5")
        guard case let .failed(reason) = try RunReader(path: diverged).status else {
            Issue.record("the diverged run is not marked failed")
            return
        }
        // Step 0's update, by 10^30 times its gradient, leaves step 1 with infinite gradients.
        #expect(reason.hasPrefix("non-finite gradient of rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0 and "))
        #expect(reason.hasSuffix(" at step 1"))
        #expect(try RunReader(path: diverged).steps(in: "metrics") == [0], "the last good step is kept")
        for lr in ["0.01", "0.02"] {
            let reader = try RunReader(path: directory.path("out/diverge/lr=\(lr).h5"))
            #expect(try reader.status == .completed)
            #expect(try reader.steps(in: "metrics") == Array(0..<50))
        }
        #expect(try ExperimentIndex.runNames(in: directory.path("out/diverge/index.h5")) == ["lr=0.01", "lr=0.02", "lr=1e+30"])
        #expect(result.standardOutput.contains("lr=1e+30  failed: non-finite gradient of "))

        // Resuming keeps the diverged run as it is: it would diverge again.
        let before = try Data(contentsOf: URL(fileURLWithPath: diverged))
        let again = try CommandLineTool.run(arguments + ["--resume"])
        #expect(again.status == 1)
        #expect(again.standardOutput.contains(" at step 1 (kept)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: diverged)) == before)
    }
}
