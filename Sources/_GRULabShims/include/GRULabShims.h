#ifndef GRULAB_SHIMS_H
#define GRULAB_SHIMS_H

/// Keeps freed memory in the process (glibc's mmap and trim thresholds raised to 1 GiB), so
/// the large short-lived buffers of training steps are reused instead of being mapped and
/// zeroed by the kernel every step. Returns 1 where it took effect, 0 elsewhere.
int grulab_retain_freed_memory(void);

/// Catches SIGINT and SIGTERM: the first one is recorded, for the program to stop at a point of
/// its choosing, and restores the default action, so that a second one ends the process at once.
/// Unblocks both on the calling thread, which a process may have inherited blocked. Call it from
/// the main thread before starting others.
void grulab_trap_interrupts(void);

/// The signal caught by `grulab_trap_interrupts`, or 0 while none has been.
int grulab_interrupt_signal(void);

#endif
