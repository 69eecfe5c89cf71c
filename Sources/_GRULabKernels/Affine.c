#include "AffineKernels.h"
#include "FastTarget.h"

#include <string.h>

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* MASK: integers as wide as SCALAR, for the lane masks of comparisons. */
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
