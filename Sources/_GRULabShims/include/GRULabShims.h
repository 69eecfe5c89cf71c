#ifndef GRULAB_SHIMS_H
#define GRULAB_SHIMS_H

/// Keeps freed memory in the process (glibc's mmap and trim thresholds raised to 1 GiB), so
/// the large short-lived buffers of training steps are reused instead of being mapped and
/// zeroed by the kernel every step. Returns 1 where it took effect, 0 elsewhere.
int grulab_retain_freed_memory(void);

#endif
