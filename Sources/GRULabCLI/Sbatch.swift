import Foundation

/// Slurm's `sbatch`, run as a subprocess to submit a script.
struct Sbatch {
    enum Failure: Error, CustomStringConvertible {
        case notFound
        case rejected(script: String, status: Int32, message: String)

        var description: String {
            switch self {
            case .notFound:
                "sbatch was not found on PATH; submit from a Slurm login node, or without --submit write the script only"
            case let .rejected(script, status, message):
                "sbatch \(script) failed with exit status \(status): \(message)"
            }
        }
    }

    /// Submits `script` and returns the job id (`sbatch --parsable` prints `id` or `id;cluster`).
    func submit(_ script: String) throws(Failure) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sbatch", "--parsable", script]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { throw .notFound }
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw .notFound }
        guard process.terminationStatus == 0,
              let job = output.split(separator: "\n").last?.split(separator: ";").first, !job.isEmpty else {
            throw .rejected(script: script, status: process.terminationStatus,
                            message: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(job)
    }
}
