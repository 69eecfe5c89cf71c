#include "GRULabShims.h"

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

int grulab_retain_freed_memory(void) {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    return mallopt(M_MMAP_THRESHOLD, 1 << 30) && mallopt(M_TRIM_THRESHOLD, 1 << 30);
#else
    return 0;
#endif
}
