/* The kernels of GRULabKernels.h for one scalar type: Convolution.c includes this file once per
   type, with SCALAR (float or double) and SUFFIX (f32 or f64) defined. */

#include "VectorTemplate.h"

/* Copies frame `in` [channels, Y, X] into the interior of `padded`: by vectors, as the compiler
   turns an element loop into a call to memcpy a row, which costs more than the row. */
static ALWAYS_INLINE void NAME(pad)(const SCALAR *in, int64_t channels, int64_t height, int64_t width,
                                    int64_t kernel, SCALAR *padded) {
    const int64_t p = kernel / 2, row = width + 2 * p, plane = (height + 2 * p) * row;
    for (int64_t c = 0; c < channels; c++)
        for (int64_t y = 0; y < height; y++) {
            SCALAR *target = padded + c * plane + (y + p) * row + p;
            const SCALAR *source = in + (c * height + y) * width;
            int64_t x = 0;
            for (; x + LANES <= width; x += LANES) {
                VECTOR v;
                NAME(load)(&v, source + x);
                memcpy(target + x, &v, sizeof v);
            }
            for (; x < width; x++) target[x] = source[x];
        }
}

/* w(o, c, u, v) in blocks of BLOCK output channels, each block [C_in][k][k][its channels], so
   that a tile's weights are consecutive; the block of channel o0 starts at `o0·C_in·k²`. */
static ALWAYS_INLINE void NAME(pack)(grulab_convolution shape, const SCALAR *w, const int64_t *s,
                                     SCALAR *packed) {
    for (int64_t o0 = 0; o0 < shape.out_channels; o0 += BLOCK) {
        const int64_t count = shape.out_channels - o0 < BLOCK ? shape.out_channels - o0 : BLOCK;
        for (int64_t c = 0; c < shape.in_channels; c++)
            for (int64_t u = 0; u < shape.kernel; u++)
                for (int64_t v = 0; v < shape.kernel; v++)
                    for (int64_t o = 0; o < count; o++)
                        *packed++ = w[(o0 + o) * s[0] + c * s[1] + u * s[2] + v * s[3]];
    }
}

/* `out` (+)= bias + the convolution of one padded frame onto `O` output channels (planes of Y·X
   at `out`), with their packed weights `w`, for output rows `first ..< first + R`. A tile is R
   output rows of 2·LANES columns for O channels: 2·O·R vector accumulators (O·R is 6 at most:
   12 accumulators, and registers left for the input vectors and a broadcast weight of the 16 of
   AVX2), fed by every input channel and kernel tap. Few channels take several rows, so that
   there are always enough independent sums to hide the latency of a multiply-add. `O`, `R`
   and `kernel` are constants where this is inlined, so that the accumulators stay in
   registers and the tap loop unrolls; the accumulators' addresses are never taken, for the
   same reason. */
static ALWAYS_INLINE void NAME(convolve_block)(int O, int R, int64_t kernel, int64_t first, int64_t in_channels,
                                               int64_t height, int64_t width, const SCALAR *padded,
                                               const SCALAR *w, const SCALAR *bias, SCALAR *out, int accumulate) {
    const int64_t row = width + 2 * (kernel / 2), plane = (height + 2 * (kernel / 2)) * row;
    const int64_t pixels = height * width;
    for (int64_t x0 = 0; x0 < width; x0 += 2 * LANES) {
        const int64_t n = width - x0; /* columns left; the tile takes up to 2·LANES */
        VECTOR a0[BLOCK], a1[BLOCK];  /* [r·O + o] */
        for (int r = 0; r < R; r++)
            for (int o = 0; o < O; o++) {
                const SCALAR *target = out + o * pixels + (first + r) * width + x0;
                VECTOR t0 = {0}, t1 = {0};
                if (accumulate) {
                    NAME(load_first)(&t0, target, n);
                    NAME(load_first)(&t1, target + LANES, n - LANES);
                }
                const SCALAR b = bias ? bias[o] : 0;
                a0[r * O + o] = t0 + b;
                a1[r * O + o] = t1 + b;
            }
        const SCALAR *tap = w;
        const SCALAR *source = padded + first * row + x0;
        for (int64_t c = 0; c < in_channels; c++, source += plane) {
            for (int64_t u = 0; u < kernel; u++) {
                for (int64_t v = 0; v < kernel; v++, tap += O) {
                    for (int r = 0; r < R; r++) {
                        VECTOR i0, i1;
                        NAME(load)(&i0, source + (r + u) * row + v);
                        NAME(load)(&i1, source + (r + u) * row + v + LANES);
                        for (int o = 0; o < O; o++) {
                            const SCALAR weight = tap[o];
                            a0[r * O + o] += weight * i0;
                            a1[r * O + o] += weight * i1;
                        }
                    }
                }
            }
        }
        for (int r = 0; r < R; r++)
            for (int o = 0; o < O; o++) {
                SCALAR *target = out + o * pixels + (first + r) * width + x0;
                const VECTOR t0 = a0[r * O + o], t1 = a1[r * O + o];
                NAME(store_first)(target, &t0, n);
                NAME(store_first)(target + LANES, &t1, n - LANES);
            }
    }
}

/* Every output row of `O` channels: tiles of BLOCK / O rows (for O up to 3, else one), then the
   rows left one at a time. */
static ALWAYS_INLINE void NAME(convolve_rows)(int O, int64_t kernel, int64_t in_channels, int64_t height,
                                              int64_t width, const SCALAR *padded, const SCALAR *w,
                                              const SCALAR *bias, SCALAR *out, int accumulate) {
    const int R = O <= 3 ? BLOCK / O : 1;
    int64_t y = 0;
    for (; y + R <= height; y += R)
        NAME(convolve_block)(O, R, kernel, y, in_channels, height, width, padded, w, bias, out, accumulate);
    for (; y < height; y++)
        NAME(convolve_block)(O, 1, kernel, y, in_channels, height, width, padded, w, bias, out, accumulate);
}

/* convolve_rows with `O = count` and `kernel` as constants. */
#define CONVOLVE_BLOCK(O, K) \
    NAME(convolve_rows)(O, K, shape.in_channels, shape.height, shape.width, padded, w, b, out, accumulate)
#define CONVOLVE_BLOCKS(K)                \
    switch (count) {                      \
    case 6: CONVOLVE_BLOCK(6, K); break;  \
    case 5: CONVOLVE_BLOCK(5, K); break;  \
    case 4: CONVOLVE_BLOCK(4, K); break;  \
    case 3: CONVOLVE_BLOCK(3, K); break;  \
    case 2: CONVOLVE_BLOCK(2, K); break;  \
    default: CONVOLVE_BLOCK(1, K); break; \
    }

static ALWAYS_INLINE void NAME(convolve_body)(grulab_convolution shape, const SCALAR *weight, const int64_t *s,
                                              const SCALAR *bias, const SCALAR *input, int64_t input_stride,
                                              SCALAR *output, int64_t output_stride, int accumulate,
                                              SCALAR *packed, SCALAR *padded) {
    NAME(pack)(shape, weight, s, packed);
    const int64_t pixels = shape.height * shape.width, patch = shape.in_channels * shape.kernel * shape.kernel;
    for (int64_t i = 0; i < shape.frames; i++) {
        NAME(pad)(input + i * input_stride, shape.in_channels, shape.height, shape.width, shape.kernel, padded);
        for (int64_t o0 = 0; o0 < shape.out_channels; o0 += BLOCK) {
            const int64_t count = shape.out_channels - o0 < BLOCK ? shape.out_channels - o0 : BLOCK;
            const SCALAR *w = packed + o0 * patch, *b = bias ? bias + o0 : 0;
            SCALAR *out = output + i * output_stride + o0 * pixels;
            if (shape.kernel == 3) {
                CONVOLVE_BLOCKS(3)
            } else {
                CONVOLVE_BLOCKS(shape.kernel)
            }
        }
    }
}

#undef CONVOLVE_BLOCKS
#undef CONVOLVE_BLOCK

/* dwt[j, o] += Σ over the chunk's frames and pixels of input(tap j) · dy[o], for `J` consecutive
   taps `j = (c·k + u)·k + v` (offsets into a padded frame `offsets`) and the 2·LANES output
   channels whose gradients are the vectors of `dyt` ([frames, Y·X, stride] with the channels
   innermost). A tile is J x 2 vector accumulators (12 for J = 6, as in convolve_block), fed at
   every pixel by two gradient vectors and J broadcast inputs: no sums across lanes. */
static ALWAYS_INLINE void NAME(gradient_block)(int J, int64_t frames, int64_t height, int64_t width, int64_t kernel,
                                               const SCALAR *padded, int64_t padded_frame, const int64_t *offsets,
                                               const SCALAR *dyt, int64_t stride, SCALAR *dwt) {
    const int64_t row = width + 2 * (kernel / 2), pixels = height * width;
    int64_t taps[BLOCK]; /* copied, so that they stay in registers */
    for (int j = 0; j < J; j++) taps[j] = offsets[j];
    VECTOR a0[BLOCK], a1[BLOCK];
    for (int j = 0; j < J; j++) a0[j] = a1[j] = (VECTOR){0};
    for (int64_t f = 0; f < frames; f++) {
        for (int64_t y = 0; y < height; y++) {
            const SCALAR *source = padded + f * padded_frame + y * row;
            const SCALAR *gradient = dyt + (f * pixels + y * width) * stride;
            for (int64_t x = 0; x < width; x++, gradient += stride) {
                VECTOR d0, d1;
                NAME(load)(&d0, gradient);
                NAME(load)(&d1, gradient + LANES);
                for (int j = 0; j < J; j++) {
                    const SCALAR value = source[taps[j] + x];
                    a0[j] += value * d0;
                    a1[j] += value * d1;
                }
            }
        }
    }
    for (int j = 0; j < J; j++) {
        VECTOR t0, t1;
        NAME(load)(&t0, dwt + j * stride);
        NAME(load)(&t1, dwt + j * stride + LANES);
        t0 += a0[j];
        t1 += a1[j];
        memcpy(dwt + j * stride, &t0, sizeof t0);
        memcpy(dwt + j * stride + LANES, &t1, sizeof t1);
    }
}

#define GRADIENT_BLOCK(J)                                                                                   \
    NAME(gradient_block)(J, count, shape.height, shape.width, k, padded, padded_frame, offsets + j0, dyt + o0, \
                         stride, dwt + j0 * stride + o0)

/* The channels of a transposed gradient row: C_out rounded up to whole tiles of 2·LANES. */
static int64_t NAME(gradient_stride)(int64_t out_channels) {
    return (out_channels + 2 * LANES - 1) / (2 * LANES) * (2 * LANES);
}

/* `work`: the chunk's output gradients transposed, [chunk, Y·X, stride]; the weight gradient
   transposed, [C_in·k², stride], and the bias gradient as one more row (the gradient of a tap
   whose input is 1); the taps' offsets into a padded frame. */
static ALWAYS_INLINE void NAME(gradient_body)(grulab_convolution shape, const SCALAR *input, int64_t input_stride,
                                              const SCALAR *output_gradient, int64_t output_stride,
                                              SCALAR *weight_gradient, SCALAR *bias_gradient, int64_t chunk,
                                              SCALAR *work, SCALAR *padded) {
    const int64_t k = shape.kernel, row = shape.width + 2 * (k / 2), plane = (shape.height + 2 * (k / 2)) * row;
    const int64_t padded_frame = shape.in_channels * plane, pixels = shape.height * shape.width;
    const int64_t patch = shape.in_channels * k * k, out = shape.out_channels;
    const int64_t stride = NAME(gradient_stride)(out);
    SCALAR *dyt = work, *dwt = work + chunk * pixels * stride, *dbt = dwt + patch * stride;
    int64_t *offsets = (int64_t *)(dbt + stride);
    for (int64_t j = 0; j < patch; j++) offsets[j] = j / (k * k) * plane + j / k % k * row + j % k;
    /* channels past C_out stay zero: their lanes add nothing */
    memset(dyt, 0, (size_t)(chunk * pixels * stride) * sizeof(SCALAR));
    memset(dwt, 0, (size_t)((patch + 1) * stride) * sizeof(SCALAR));
    for (int64_t first = 0; first < shape.frames; first += chunk) {
        const int64_t count = shape.frames - first < chunk ? shape.frames - first : chunk;
        for (int64_t f = 0; f < count; f++) {
            NAME(pad)(input + (first + f) * input_stride, shape.in_channels, shape.height, shape.width, k,
                      padded + f * padded_frame);
            const SCALAR *d = output_gradient + (first + f) * output_stride;
            for (int64_t o = 0; o < out; o++)
                for (int64_t p = 0; p < pixels; p++) dyt[(f * pixels + p) * stride + o] = d[o * pixels + p];
        }
        for (int64_t o0 = 0; o0 < stride; o0 += 2 * LANES) {
            int64_t j0 = 0;
            for (; j0 + BLOCK <= patch; j0 += BLOCK) GRADIENT_BLOCK(BLOCK);
            switch (patch - j0) {
            case 5: GRADIENT_BLOCK(5); break;
            case 4: GRADIENT_BLOCK(4); break;
            case 3: GRADIENT_BLOCK(3); break;
            case 2: GRADIENT_BLOCK(2); break;
            case 1: GRADIENT_BLOCK(1); break;
            default: break;
            }
        }
        if (bias_gradient)
            for (int64_t q = 0; q < count * pixels; q++)
                for (int64_t o = 0; o < stride; o++) dbt[o] += dyt[q * stride + o];
    }
    for (int64_t o = 0; o < out; o++)
        for (int64_t j = 0; j < patch; j++) weight_gradient[o * patch + j] += dwt[j * stride + o];
    if (bias_gradient)
        for (int64_t o = 0; o < out; o++) bias_gradient[o] += dbt[o];
}

#undef GRADIENT_BLOCK

/* The entry points: each body compiled for AVX2 and FMA, run when the processor has them, and
   for the baseline instruction set. */
#ifdef FAST_TARGET
static FAST_TARGET void NAME(convolve_fast)(grulab_convolution shape, const SCALAR *weight, const int64_t *s,
                                            const SCALAR *bias, const SCALAR *input, int64_t input_stride,
                                            SCALAR *output, int64_t output_stride, int accumulate,
                                            SCALAR *packed, SCALAR *padded) {
    NAME(convolve_body)(shape, weight, s, bias, input, input_stride, output, output_stride, accumulate, packed,
                        padded);
}

static FAST_TARGET void NAME(gradient_fast)(grulab_convolution shape, const SCALAR *input, int64_t input_stride,
                                            const SCALAR *output_gradient, int64_t output_stride,
                                            SCALAR *weight_gradient, SCALAR *bias_gradient, int64_t chunk,
                                            SCALAR *work, SCALAR *padded) {
    NAME(gradient_body)(shape, input, input_stride, output_gradient, output_stride, weight_gradient, bias_gradient,
                        chunk, work, padded);
}
#endif

void NAME(grulab_convolve)(grulab_convolution shape, const SCALAR *weight, const int64_t *s, const SCALAR *bias,
                           const SCALAR *input, int64_t input_stride, SCALAR *output, int64_t output_stride,
                           int accumulate, SCALAR *packed, SCALAR *padded) {
#ifdef FAST_TARGET
    if (grulab_fast_available()) {
        NAME(convolve_fast)(shape, weight, s, bias, input, input_stride, output, output_stride, accumulate, packed,
                            padded);
        return;
    }
#endif
    NAME(convolve_body)(shape, weight, s, bias, input, input_stride, output, output_stride, accumulate, packed,
                        padded);
}

void NAME(grulab_convolve_gradient)(grulab_convolution shape, const SCALAR *input, int64_t input_stride,
                                    const SCALAR *output_gradient, int64_t output_stride, SCALAR *weight_gradient,
                                    SCALAR *bias_gradient, int64_t chunk, SCALAR *work, SCALAR *padded) {
#ifdef FAST_TARGET
    if (grulab_fast_available()) {
        NAME(gradient_fast)(shape, input, input_stride, output_gradient, output_stride, weight_gradient, bias_gradient,
                            chunk, work, padded);
        return;
    }
#endif
    NAME(gradient_body)(shape, input, input_stride, output_gradient, output_stride, weight_gradient, bias_gradient,
                        chunk, work, padded);
}

#undef LANES
#undef VECTOR
#undef NAME__
#undef NAME_
#undef NAME
