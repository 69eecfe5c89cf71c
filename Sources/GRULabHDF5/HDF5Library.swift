import CHDF5
import Foundation

/// Process-wide facts about the linked HDF5 library.
public enum HDF5Library {
    /// The version of the HDF5 library in use, e.g. `1.10.8`, as the library reports it.
    public static var version: String {
        withLibrary {
            var major: UInt32 = 0
            var minor: UInt32 = 0
            var release: UInt32 = 0
            H5get_libversion(&major, &minor, &release)
            return "\(major).\(minor).\(release)"
        }
    }

    /// HDF5 builds are not always thread-safe (Homebrew's is not; Debian's is), and Swift code
    /// (tests, a sweep running runs side by side) calls the library from many threads: every
    /// call into it holds this lock.
    private static let lock = NSRecursiveLock()

    /// Keeps HDF5 from closing open files at process exit. After a write ran out of space,
    /// HDF5 1.10 crashes (SIGSEGV in `H5F__close_cb`) when it closes that file at exit; without
    /// the exit handler the file stays as last flushed, which is what a reader gets anyway.
    /// The cost: a file a program forgets to close loses what it wrote since its last flush.
    /// `H5dont_atexit` only works before the library initialises, hence once, here.
    private static let initialized: Void = {
        H5dont_atexit()
        H5open()
    }()

    /// Runs `body` holding the library lock. A thread-safe build keeps the error-printing
    /// setting per thread, so it is switched off on whichever thread is calling: printing the
    /// library's error stack to stderr would bury the typed errors in noise.
    static func withLibrary<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        _ = initialized
        grulab_h5e_silence()
        return try body()
    }

    /// Turns the error stack left by a failed call into a typed error, and clears the stack.
    static func failure(_ operation: String, file: String, object: String) -> HDF5Error {
        let message = innermostMessage()
        if let cause = outOfSpaceCause(message) {
            return .outOfSpace(file: file, object: object, reason: cause)
        }
        return .failed(operation: operation, file: file, object: object,
                       reason: message)
    }

    /// The innermost message of the error stack, which is then cleared.
    static func innermostMessage() -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        grulab_h5e_innermost(&buffer, buffer.count)
        let message = string(from: buffer)
        return message.isEmpty ? "unknown HDF5 error" : message
    }

    /// The sec2 driver reports a failed write as
    /// `file write failed: ..., errno = 28, error message = 'No space left on device', ...`.
    /// ENOSPC (disk full) and EFBIG (RLIMIT_FSIZE or file-system limit) mean out of space.
    private static func outOfSpaceCause(_ message: String) -> String? {
        guard let errnoRange = message.range(of: "errno = ") else { return nil }
        let digits = message[errnoRange.upperBound...].prefix { $0.isNumber }
        guard let code = Int32(digits), code == ENOSPC || code == EFBIG else { return nil }
        return String(cString: strerror(code))
    }
}
