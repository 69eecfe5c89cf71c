import Foundation

/// Has a child process read a results file whole before this process opens it, so that a file
/// damaged in a way that crashes or hangs the HDF5 library ends in an error naming it, with this
/// process going on and every file as it was.
///
/// Debian 12's HDF5 1.10.8 does not check every offset it reads in a file's global heap, where
/// variable-length strings live: a few bytes overwritten on disk can send it reading out of
/// bounds (a segmentation fault) or round a loop for ever (docs/reliability.md). No setting of the
/// library turns a check on, so a process survives such a file only by letting another meet it
/// first. The child is this program again, started as `command` + `[path, mode]`, which calls
/// ``readInChild(_:mode:)``; its end says what happened:
///
/// | the child                               | ``check(_:mode:)``                                  |
/// |-----------------------------------------|-----------------------------------------------------|
/// | exits 0: it read everything             | returns; this process opens the file itself         |
/// | exits 1, an ``HDF5Error`` as JSON       | throws that error, the one reading it here gives    |
/// | ends by a fault (SIGSEGV, SIGABRT, ...) | throws ``HDF5Error/damaged(file:reason:)``: crashed |
/// | runs past the time limit                | kills it, throws `damaged`: it hangs                |
/// | anything else                           | throws ``HDF5Error/failed(operation:file:object:reason:)`` |
///
/// The cost is one process start and one more reading of the file (docs/reliability.md).
public struct ResultsFileCheck: Sendable {
    /// The program and the arguments that make it call ``readInChild(_:mode:)`` with the two
    /// arguments that follow, e.g. `["/usr/local/bin/grulab", "check-results-file"]`.
    public var command: [String]
    /// How long the child may read a small file; a larger one gets a second more for every
    /// ``bytesPerSecond`` of it.
    public var timeLimit: Duration
    /// A pace a loaded machine still reads compressed series at, for the time limit.
    public static let bytesPerSecond = 10_000_000

    public init(command: [String], timeLimit: Duration = .seconds(10)) {
        self.command = command
        self.timeLimit = timeLimit
    }

    /// Returns once a child process has read the file at `path` whole, as
    /// ``ResultsSchema/open(_:mode:check:)`` opens it in `mode`.
    ///
    /// - Throws: the ``HDF5Error`` that reading the file gives; ``HDF5Error/damaged(file:reason:)``
    ///   when the library crashed or was still reading at the time limit;
    ///   ``HDF5Error/failed(operation:file:object:reason:)`` when the child could not run.
    public func check(_ path: String, mode: HDF5File.Mode) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + [path, mode == .swmrRead ? "swmr-read" : "read-only"]
        // A crash ends the child at once and silently, instead of after a symbolicated backtrace.
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        do {
            try process.run()
        } catch {
            throw HDF5Error.failed(operation: "check", file: path, object: "/", reason: "cannot start \(command[0]): \(error)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let limit = timeLimit + .seconds(size / Self.bytesPerSecond)
        if ended.wait(timeout: .now() + Double(limit.components.seconds)) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HDF5Error.damaged(file: path, reason: "the HDF5 library was still reading it after \(limit.components.seconds) s")
        }
        let status = process.terminationStatus
        switch (process.terminationReason, status) {
        case (.exit, 0):
            return
        case (.exit, 1):
            let reported = output.fileHandleForReading.readDataToEndOfFile()
            if let error = try? JSONDecoder().decode(HDF5Error.self, from: reported) { throw error }
        case (.uncaughtSignal, let signal) where Self.crashSignals.contains(signal):
            throw HDF5Error.damaged(file: path, reason: "the HDF5 library crashed reading it (\(String(cString: strsignal(signal))))")
        case (.uncaughtSignal, let signal):
            // Ctrl-C reaching the child before it ignores it, or a kill from outside: not the file.
            throw HDF5Error.failed(operation: "check", file: path, object: "/",
                                   reason: "\(command.joined(separator: " ")) ended by \(String(cString: strsignal(signal)))")
        default:
            break
        }
        throw HDF5Error.failed(operation: "check", file: path, object: "/",
                               reason: "\(command.joined(separator: " ")) exited with status \(status)")
    }

    /// The signals a process gets from its own faults: what a library crashing on a file raises.
    static let crashSignals: Set<Int32> = [SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP, SIGSYS]

    /// The child's side of ``check(_:mode:)``: reads the file whole (``HDF5File/readWhole()``)
    /// in `mode` (`swmr-read` or `read-only`) and exits 0, or writes the error as JSON to
    /// standard output and exits 1; exits 2 for another mode.
    ///
    /// Interrupts are ignored: Ctrl-C reaches the whole process group, and the parent, which
    /// decides what it means, kills a child it stops waiting for. No core is dumped.
    public static func readInChild(_ path: String, mode: String) -> Never {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
        guard mode == "swmr-read" || mode == "read-only" else {
            FileHandle.standardError.write(Data("expected the mode swmr-read or read-only; got '\(mode)'\n".utf8))
            exit(2)
        }
        do {
            let file = try ResultsSchema.openInThisProcess(path, mode: mode == "swmr-read" ? .swmrRead : .readOnly)
            try file.readWhole()
            try file.close()
            exit(0)
        } catch {
            let reported = error as? HDF5Error ?? .failed(operation: "read", file: path, object: "/", reason: "\(error)")
            FileHandle.standardOutput.write((try? JSONEncoder().encode(reported)) ?? Data())
            exit(1)
        }
    }
}
