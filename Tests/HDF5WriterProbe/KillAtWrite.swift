import Glibc

/// Kills this process at its n-th `pwrite(2)` from now: a kill in the middle of one HDF5 flush,
/// at a chosen write, which a signal sent from outside only hits by chance.
///
/// This executable's `pwrite` takes the place of the C library's for the HDF5 library too, since
/// an executable's symbols come first when the dynamic linker binds a shared library's calls.
nonisolated(unsafe) var writesBeforeKill: Int?

@_cdecl("pwrite")
func interposedPwrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ offset: Int) -> Int {
    if let left = writesBeforeKill {
        if left <= 1 { kill(getpid(), SIGKILL) }
        writesBeforeKill = left - 1
    }
    return libcPwrite(descriptor, buffer, count, offset)
}

/// The C library's `pwrite`, found past this executable's.
private let libcPwrite = unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: -1), "pwrite"),
                                       to: (@convention(c) (Int32, UnsafeRawPointer?, Int, Int) -> Int).self)
