import Foundation

/// The HDF5WriterProbe executable, run as a child process whose stdout is read line by line.
final class Probe {
    let process = Process()
    private let output = Pipe()
    private var buffer = Data()

    /// Built next to the test bundle, since the test target depends on it.
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("HDF5WriterProbe")
    }

    init(_ arguments: [String]) throws {
        process.executableURL = Self.executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// The next line of output, or `nil` at end of output.
    func nextLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }

    /// All remaining lines, once the process has closed its output.
    func remainingLines() -> [String] {
        var lines: [String] = []
        while let line = nextLine() { lines.append(line) }
        return lines
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    @discardableResult
    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, lines: [String]) {
        let probe = try Probe(arguments)
        let lines = probe.remainingLines()
        return (probe.wait(), lines)
    }
}
