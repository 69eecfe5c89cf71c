#include "GRULabKernels.h"
#include "FastTarget.h"

#include <string.h>

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* The output channels of a convolution tile; the taps of a weight-gradient tile. */
#define BLOCK 6

int64_t grulab_padded_count(int64_t frames, int64_t channels, int64_t height, int64_t width, int64_t kernel) {
    const int64_t p = kernel / 2;
    /* A tile's last vector loads read up to 2·LANES - 1 elements past the last row (16 floats
       or 8 doubles). */
    return frames * channels * (height + 2 * p) * (width + 2 * p) + 16;
}

int64_t grulab_gradient_work_count(grulab_convolution shape, int64_t chunk) {
    /* as for float, whose rows of transposed gradients are the longest (C_out rounded up to 16) */
    const int64_t stride = (shape.out_channels + 15) / 16 * 16, patch = shape.in_channels * shape.kernel * shape.kernel;
    return chunk * shape.height * shape.width * stride + (patch + 1) * stride + 2 * patch;
}

#define SCALAR float
#define SUFFIX f32
#include "ConvolutionTemplate.h"
#undef SUFFIX
#undef SCALAR

#define SCALAR double
#define SUFFIX f64
#include "ConvolutionTemplate.h"
#undef SUFFIX
#undef SCALAR
