#ifndef GRULAB_ACTIVATION_KERNELS_H
#define GRULAB_ACTIVATION_KERNELS_H

#include <stddef.h>

/// `values[i] = 1 / (1 + e^-values[i])` for `count` floats, in place.
///
/// `e^x` is Cephes' `expf` polynomial after a range reduction, inputs clamped to
/// `[-87.3, 88.7]`: relative error below 2e-7. With AVX2 and FMA (checked once at run time)
/// eight values at a time, the remainder through masked loads, so a value's result never depends
/// on where it sits in the array; otherwise a scalar loop of the same polynomial.
void grulab_sigmoid_f32(float *values, size_t count);

/// `values[i] = tanh(values[i])` for `count` floats, in place, as
/// `sign(x) (1 - e^-2|x|) / (1 + e^-2|x|)` with the exponential of `grulab_sigmoid_f32`.
void grulab_tanh_f32(float *values, size_t count);

#endif
