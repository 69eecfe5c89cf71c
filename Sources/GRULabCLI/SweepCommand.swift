import ArgumentParser
import Foundation
import GRULabExperiments

/// `grulab sweep FILE [key=value ...] --slurm [--partition P] [--time T] [--cpus-per-task N]
/// [--array-parallelism K] [--out DIR] [--submit]`
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run an experiment's sweep on a cluster: a Slurm job array, one task per run.",
        discussion: """
            Validates the file and the overrides as grulab validate does, then writes \
            <out>/<experiment>/sweep.sbatch: a job array whose task i runs `grulab run FILE \
            [overrides] --out DIR --run-index i --resume` with this grulab, in this directory. \
            Each task writes its run file and links it into index.h5 under a file lock, so the \
            index is complete when the array ends. --submit passes the script to sbatch and \
            prints the job id. Exit status 0, 2 for an invalid experiment or a failed sbatch.
            """)

    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Argument(help: "Overrides, key=value, as for grulab run.")
    var overrides: [String] = []

    @Flag(help: "Write a Slurm job array (the one scheduler grulab sweep writes for).")
    var slurm = false

    @Option(help: "The results directory, as for grulab run.")
    var out = "results"

    @Option(help: "The Slurm partition (default: the cluster's).")
    var partition: String?

    @Option(help: "Each task's time limit, in Slurm's form (e.g. 2:00:00, 1-00:00:00).")
    var time: String?

    @Option(name: .customLong("cpus-per-task"), help: "CPUs of each task; also its BLAS threads.")
    var cpusPerTask = 1

    @Option(name: .customLong("array-parallelism"), help: "At most this many tasks running at once.")
    var arrayParallelism: Int?

    @Flag(help: "Submit the script with sbatch and print the job id.")
    var submit = false

    func validate() throws {
        if !slurm { throw ValidationError("grulab sweep writes Slurm job arrays: pass --slurm") }
        if cpusPerTask < 1 { throw ValidationError("--cpus-per-task takes a number >= 1; got \(cpusPerTask)") }
        if let arrayParallelism, arrayParallelism < 1 {
            throw ValidationError("--array-parallelism takes a number >= 1; got \(arrayParallelism)")
        }
    }

    func run() throws {
        let experiment = try loadExperiment(file, overrides: overrides)
        let files = FileManager.default
        let here = files.currentDirectoryPath
        func absolute(_ path: String) -> String {
            URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: here, isDirectory: true)).standardizedFileURL.path
        }
        let outputDirectory = absolute(out)
        let directory = ExperimentRunner(executor: RunExecutor(versions: .current()), outputDirectory: outputDirectory)
            .directory(of: experiment)
        let script = SlurmArrayScript(
            grulab: (try? files.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? absolute(CommandLine.arguments[0]),
            experimentFile: absolute(file), overrides: overrides, outputDirectory: outputDirectory,
            workingDirectory: here, experimentName: experiment.name, runs: experiment.runs.count,
            partition: partition, time: time, cpusPerTask: cpusPerTask, arrayParallelism: arrayParallelism,
            logPattern: (directory as NSString).appendingPathComponent("slurm-%A_%a.out"))
        let path = (directory as NSString).appendingPathComponent("sweep.sbatch")
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try script.text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            printError("\(path): cannot write the sbatch script: \(error.localizedDescription)")
            throw ExitCode(2)
        }
        print("\(path): \(experiment.runs.count) runs as a Slurm job array (tasks 0-\(experiment.runs.count - 1))")
        guard submit else {
            print("submit with: sbatch \(shellQuoted(path))")
            return
        }
        do {
            let job = try Sbatch().submit(path)
            print("submitted job \(job); follow it with: grulab watch \(shellQuoted(directory))")
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
    }
}
