#include "AffineKernels.h"
#include "FastTarget.h"

#include <stdint.h>
#include <string.h>

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* MASK: integers as wide as SCALAR, for the lane masks of comparisons. */
int64_t grulab_mingru_backward_work_count(int64_t in, int64_t hidden) {
    /* blocks of 8 units, as for float, whose blocks are the longer; and 32 bytes to align them */
    return (4 * in + 3) * ((hidden + 7) / 8 * 8) + 8;
}

#define SCALAR float
#define MASK int32_t __attribute__((vector_size(32)))
#define SUFFIX f32
#include "AffineTemplate.h"
#undef SUFFIX
#undef MASK
#undef SCALAR

#define SCALAR double
#define MASK int64_t __attribute__((vector_size(32)))
#define SUFFIX f64
#include "AffineTemplate.h"
#undef SUFFIX
#undef MASK
#undef SCALAR
