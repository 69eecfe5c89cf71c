#include "FastTarget.h"

#if defined(__x86_64__)
int grulab_fast_available(void) {
    static int available = -1;
    if (available < 0) {
        __builtin_cpu_init();
        available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return available;
}
#endif
