import Foundation
import GRULabTestSupport
import Testing

/// `grulab sweep --slurm`: the sbatch script it writes (submitting to a real Slurm is
/// tests/python/test_slurm.py).
@Suite struct SweepCommandTests {
    static let experiment = """
        name: arr
        task: {name: adding, seq_len: 10}
        model: {cell: gru, hidden_size: 4}
        train: {steps: 5}
        sweep: {model.cell: [gru, lstm, mingru]}
        """

    @Test func theScriptRunsOneRunPerArrayTask() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("arr.yaml")
        try Self.experiment.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CommandLineTool.run(["sweep", file, "train.steps=3", "seed=[1, 2]", "--slurm",
                                              "--out", directory.path("res"), "--partition", "cpu",
                                              "--time", "1:00:00", "--cpus-per-task", "4",
                                              "--array-parallelism", "3"])
        #expect(result.status == 0, "\(result.standardError)")
        let path = directory.path("res/arr/sweep.sbatch")
        #expect(result.standardOutput == "\(path): 6 runs as a Slurm job array (tasks 0-5)\nsubmit with: sbatch \(path)\n")
        let script = try String(contentsOfFile: path, encoding: .utf8)
        let grulab = CommandLineTool.executable.resolvingSymlinksInPath().path
        #expect(script == """
            #!/bin/bash
            # The sweep of experiment 'arr' as a Slurm job array: 6 runs, task i runs
            # run i (grulab validate lists them). Written by grulab sweep; submit with sbatch.
            #SBATCH --job-name=grulab-arr
            #SBATCH --array=0-5%3
            #SBATCH --ntasks=1
            #SBATCH --cpus-per-task=4
            #SBATCH --output=\(directory.path("res/arr"))/slurm-%A_%a.out
            #SBATCH --partition=cpu
            #SBATCH --time=1:00:00
            set -euo pipefail
            cd \(FileManager.default.currentDirectoryPath)
            exec \(grulab) run \(file) train.steps=3 'seed=[1, 2]' --out \(directory.path("res")) --threads 4 --resume --run-index "$SLURM_ARRAY_TASK_ID"

            """)
    }

    @Test(arguments: [
        (["--out", "/tmp"], "Error: grulab sweep writes Slurm job arrays: pass --slurm"),
        (["--slurm", "--cpus-per-task", "0"], "Error: --cpus-per-task takes a number >= 1; got 0"),
        (["--slurm", "model.cell=gruu"], "grulab: override 'model.cell=gruu': model.cell: unknown cell 'gruu'; did you mean 'gru'?"),
    ])
    func badArgumentsAreErrors(arguments: [String], message: String) throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("arr.yaml")
        try Self.experiment.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CommandLineTool.run(["sweep", file] + arguments)
        #expect(result.status != 0)
        #expect(result.standardError.hasPrefix(message))
    }
}
