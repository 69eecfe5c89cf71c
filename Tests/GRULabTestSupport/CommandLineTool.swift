import Foundation

/// Runs the built `grulab` executable, as a user would, and captures what it prints.
public enum CommandLineTool {
    public struct Result: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// The `grulab` binary beside the test bundle (SwiftPM builds both into one directory).
    public static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("grulab")
    }

    /// Runs `grulab arguments...` to completion.
    public static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, standardOutput: String(decoding: output, as: UTF8.self),
                      standardError: String(decoding: error, as: UTF8.self))
    }

    /// Starts `grulab arguments...` without waiting for it, as a second user or a scheduler
    /// would; what it prints on both streams goes to the file `log`.
    public static func start(_ arguments: [String], log: String) throws -> Process {
        try Data().write(to: URL(fileURLWithPath: log))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Waits for `process`, killing it if it has not ended within `limit` seconds: a hang fails
    /// the test instead of stalling the suite. Returns whether it ended by itself.
    public static func wait(for process: Process, upTo limit: Double = 120) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }
}
