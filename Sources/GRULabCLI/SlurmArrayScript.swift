import Foundation

/// The sbatch script of a Slurm job array that runs an experiment's sweep: one array task per
/// run, task `i` running `grulab run FILE [overrides] --out DIR --run-index i --resume`.
///
/// Each task writes its own run file and links it into the experiment's `index.h5` under an
/// exclusive `flock` (ExperimentIndex), so the index is complete when the array ends, in
/// whatever order and at whatever moments its tasks finish. `--resume` lets a requeued or
/// preempted task continue from its checkpoint and keeps a run that already completed.
struct SlurmArrayScript: Equatable {
    /// Absolute paths: a task starts in its own environment and working directory.
    var grulab: String
    var experimentFile: String
    var overrides: [String]
    var outputDirectory: String
    /// The directory a task starts in (relative paths of the experiment, such as `task.path`,
    /// resolve against it), and where the script lives.
    var workingDirectory: String
    var experimentName: String
    var runs: Int
    var partition: String?
    var time: String?
    var cpusPerTask: Int
    /// At most this many tasks at once (`--array=0-N%K`); `nil` leaves it to the scheduler.
    var arrayParallelism: Int?
    /// Slurm's log of each task, with `%A` the array's job id and `%a` the task's index.
    var logPattern: String

    /// The script's text.
    var text: String {
        var directives = [
            "--job-name=grulab-\(experimentName)",
            "--array=0-\(runs - 1)" + (arrayParallelism.map { "%\($0)" } ?? ""),
            "--ntasks=1",
            "--cpus-per-task=\(cpusPerTask)",
            "--output=\(logPattern)",
        ]
        if let partition { directives.append("--partition=\(partition)") }
        if let time { directives.append("--time=\(time)") }
        let command = [grulab, "run", experimentFile] + overrides
            + ["--out", outputDirectory, "--threads", "\(cpusPerTask)", "--resume"]
        return """
            #!/bin/bash
            # The sweep of experiment '\(experimentName)' as a Slurm job array: \(runs) runs, task i runs
            # run i (grulab validate lists them). Written by grulab sweep; submit with sbatch.
            \(directives.map { "#SBATCH \($0)" }.joined(separator: "\n"))
            set -euo pipefail
            cd \(shellQuoted(workingDirectory))
            exec \(command.map(shellQuoted).joined(separator: " ")) --run-index "$SLURM_ARRAY_TASK_ID"

            """
    }
}

/// `text` as one shell word: unchanged when it is plain, otherwise in single quotes.
func shellQuoted(_ text: String) -> String {
    let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
    if !text.isEmpty, text.unicodeScalars.allSatisfy(plain.contains) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
