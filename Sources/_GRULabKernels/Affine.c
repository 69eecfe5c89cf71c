#include "AffineKernels.h"
#include "FastTarget.h"

#include <string.h>

#define ALWAYS_INLINE inline __attribute__((always_inline))

#define SCALAR float
#define SUFFIX f32
#include "AffineTemplate.h"
#undef SUFFIX
#undef SCALAR

#define SCALAR double
#define SUFFIX f64
#include "AffineTemplate.h"
#undef SUFFIX
#undef SCALAR
