import Foundation

/// An exclusive `flock(2)` on a lock file, held for the duration of `withLock`.
///
/// `flock` is released by the kernel when the process dies, so a killed runner never leaves
/// the lock held. It serialises processes on one machine and on most network file systems
/// that support it (NFSv4, Lustre with `flock` mounted).
struct FileLock {
    let path: String

    func withLock<R>(_ body: () throws -> R) throws -> R {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw lockError("open") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw lockError("lock") }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    private func lockError(_ operation: String) -> HDF5Error {
        .failed(operation: "\(operation) lock file", file: path, object: "/",
                reason: String(cString: strerror(errno)))
    }
}
