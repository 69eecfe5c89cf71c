import _GRULabShims

/// How the process's allocator treats the large, short-lived buffers of a training step.
public enum MemoryPolicy {
    /// Keeps freed memory in the process for the next step instead of returning it to the
    /// kernel.
    ///
    /// A training step allocates its workspaces afresh (hundreds of megabytes at T = 1000);
    /// glibc serves blocks that large with `mmap` and unmaps them on `free`, so every step pays
    /// the kernel to zero new pages. Raising glibc's mmap and trim thresholds makes those
    /// blocks come from the heap and be reused. A process-wide setting: executables call it once
    /// at start; peak memory stays that of one step. Returns whether it took effect.
    @discardableResult
    public static func retainFreedMemory() -> Bool {
        grulab_retain_freed_memory() != 0
    }
}
