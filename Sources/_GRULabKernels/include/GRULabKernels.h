#ifndef GRULAB_KERNELS_H
#define GRULAB_KERNELS_H

#include <stdint.h>

#include "ActivationKernels.h"
#include "AffineKernels.h"
#include "BernoulliKernels.h"
#include "PackedProductKernels.h"

/// Direct 2-D convolutions with 'same' zero padding and stride 1, for small feature maps: no
/// im2col matrix, no BLAS. Each function has a float and a double form, and runs with AVX2 and
/// FMA where the processor has them (asked once, at the first call), else with the baseline
/// instruction set.
///
/// Shapes are row-major, rightmost fastest: frames `[C, Y, X]` one after another at a frame
/// stride, kernels `k x k` with `k` odd, `p = k / 2`. A *padded* frame is `[C, Y + 2p, X + 2p]`
/// with zeros around the interior: the functions copy each input frame into the interior of
/// their `padded` buffer and never write its border, so that buffer must be zeroed once when
/// allocated, and then only ever used with the same `Y, X, k`.

/// The sizes of one convolution over `frames` frames: `C_in` channels in, `C_out` out, `Y x X`
/// maps, `k x k` kernels.
typedef struct {
    int64_t frames;
    int64_t in_channels;
    int64_t out_channels;
    int64_t height;
    int64_t width;
    int64_t kernel;
} grulab_convolution;

/// The elements of a `padded` buffer for `frames` padded frames of `channels` channels: their
/// size, plus the slack that vector loads of the last row read past its end.
int64_t grulab_padded_count(int64_t frames, int64_t channels, int64_t height, int64_t width, int64_t kernel);

/// `output[i, o, y, x] (+)= bias[o] + Σ_{c, u, v} w(o, c, u, v) · input[i, c, y + u - p, x + v - p]`
/// (zero outside the frame), where `w(o, c, u, v) = weight[o·s[0] + c·s[1] + u·s[2] + v·s[3]]`: the
/// strides `s` let one kernel compute a convolution (`s = C_in·k², k², k, 1`) and the gradient
/// of its input, the convolution by the transposed and flipped kernel (`weight` at its element
/// `(k-1)·k + k-1`, `s = k², C_out'·k², -k, -1` where `C_out'` is the forward convolution's
/// input count). Input frame `i` starts at `input + i·input_stride`, output frame `i` (its
/// `[C_out, Y, X]` contiguous) at `output + i·output_stride`. `bias` (`[C_out]`) may be null;
/// `accumulate` adds to the output instead of overwriting it. `packed` holds `C_out·C_in·k²`
/// elements (the weights reordered), `padded` one padded frame of `C_in` channels.
void grulab_convolve_f32(grulab_convolution shape, const float *weight, const int64_t *s, const float *bias,
                         const float *input, int64_t input_stride, float *output, int64_t output_stride,
                         int accumulate, float *packed, float *padded);
void grulab_convolve_f64(grulab_convolution shape, const double *weight, const int64_t *s, const double *bias,
                         const double *input, int64_t input_stride, double *output, int64_t output_stride,
                         int accumulate, double *packed, double *padded);

/// The parameter gradients of ``grulab_convolve_f32`` in its plain form (`s = C_in·k², k², k, 1`),
/// added to `weight_gradient` (`[C_out, C_in, k, k]`) and, when not null, `bias_gradient` (`[C_out]`):
///
///     weight_gradient[o, c, u, v] += Σ_{i, y, x} output_gradient[i, o, y, x] · input[i, c, y + u - p, x + v - p]
///     bias_gradient[o]            += Σ_{i, y, x} output_gradient[i, o, y, x]
///
/// with frames at the strides of ``grulab_convolve_f32``. Frames are taken `chunk` at a time, as
/// many as `padded` holds (`grulab_padded_count(chunk, C_in, …)`): a chunk's padded frames and
/// output gradients should fit the L2 cache. `work` holds `grulab_gradient_work_count(shape, chunk)`
/// elements.
void grulab_convolve_gradient_f32(grulab_convolution shape, const float *input, int64_t input_stride,
                                  const float *output_gradient, int64_t output_stride, float *weight_gradient,
                                  float *bias_gradient, int64_t chunk, float *work, float *padded);
void grulab_convolve_gradient_f64(grulab_convolution shape, const double *input, int64_t input_stride,
                                  const double *output_gradient, int64_t output_stride, double *weight_gradient,
                                  double *bias_gradient, int64_t chunk, double *work, double *padded);

/// The elements of the `work` buffer of ``grulab_convolve_gradient_f32`` (or `_f64`) for `shape`
/// taken `chunk` frames at a time (`shape.frames` is not read).
int64_t grulab_gradient_work_count(grulab_convolution shape, int64_t chunk);

#endif
