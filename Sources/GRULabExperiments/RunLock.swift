import Foundation

/// One process's hold on one run's files (`<run>.h5`, its checkpoint, its `.previous`): an
/// exclusive `flock(2)` on `<run>.h5.lock`, so that two `grulab run` processes on the same
/// experiment and results directory, or the same Slurm task started twice, never write one run
/// file together. A class: it owns the lock file's descriptor.
///
/// Taken without waiting: a run held by another process is left to it, and the error says
/// which process holds it (the holder writes `pid <pid> on <host> since <time>` into the lock
/// file). The kernel drops the lock when its holder dies, killed included, so a crashed run
/// never stays locked. `flock` locks are honoured on local file systems and on NFSv4 and
/// Lustre mounted with `flock`; released, the lock file is removed.
final class RunLock {
    let path: String
    private var descriptor: Int32

    /// Takes the lock of the run file at `runPath`.
    /// - Throws: ``RunError/busy(run:path:holder:)`` when another process holds it.
    init(runPath: String, run: String) throws {
        path = runPath + ".lock"
        while true {
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw RunError.checkpoint(path: path, reason: "cannot create the run's lock file: \(String(cString: strerror(errno)))")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let reason = errno
                let holder = Self.holder(descriptor)
                close(descriptor)
                if reason == EINTR { continue }
                guard reason == EWOULDBLOCK else {
                    throw RunError.checkpoint(path: path, reason: "cannot lock: \(String(cString: strerror(reason)))")
                }
                throw RunError.busy(run: run, path: runPath, holder: holder)
            }
            // A holder that released the lock removed the file: a lock on the removed file
            // guards nothing, so take the new one.
            var opened = stat(), named = stat()
            guard fstat(descriptor, &opened) == 0, stat(path, &named) == 0,
                  opened.st_ino == named.st_ino, opened.st_dev == named.st_dev else {
                close(descriptor)
                continue
            }
            self.descriptor = descriptor
            break
        }
        let note = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(Date().formatted(.iso8601))\n"
        ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// What the holder wrote into the lock file, or `another process` before it has written.
    private static func holder(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        let text = count > 0 ? String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return text.isEmpty ? "another process" : "process " + text.dropFirst("pid ".count)
    }

    /// Removes the lock file, then releases the lock. Releasing twice is harmless.
    func release() {
        guard descriptor >= 0 else { return }
        unlink(path)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
