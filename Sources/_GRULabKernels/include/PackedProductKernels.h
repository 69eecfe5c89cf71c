#ifndef GRULAB_PACKED_PRODUCT_KERNELS_H
#define GRULAB_PACKED_PRODUCT_KERNELS_H

#include <stddef.h>

/// Products with a weight packed once and used many times: a recurrent product runs at every
/// step with the same weight, and BLAS packs that weight again at every call (15 % of an
/// lstm training step at H = 256). Single-threaded: a batch split across cores gives each
/// part's products a core of its own.
///
/// A weight is `outputs x inner`, element `(o, i)` at `weight[o * outputStride + i * innerStride]`;
/// packed, it is panels of 16 outputs, each `inner x 16` with the outputs fastest, zeros beyond
/// `outputs`.

/// Floats `grulab_pack_panels_f32` writes for a weight of `outputs x inner`.
size_t grulab_packed_size_f32(int outputs, int inner);

/// Packs the weight into `packed` (`grulab_packed_size_f32` floats).
void grulab_pack_panels_f32(const float *weight, int outputs, int inner, ptrdiff_t outputStride,
                            ptrdiff_t innerStride, float *packed);

/// `y[r, o] (+)= sum_i x[r, i] * weight(o, i)` for `rows` rows: `x` `[rows, inner]` at row stride
/// `ldx`, `y` `[rows, outputs]` at row stride `ldy`, added to `y` when `accumulate`, else
/// written. With AVX2 and FMA, tiles of 6 rows by 16 outputs in registers over the whole inner
/// dimension; otherwise the same sums in the same order, one at a time.
void grulab_packed_product_f32(int rows, int outputs, int inner, const float *x, ptrdiff_t ldx,
                               const float *packed, float *y, ptrdiff_t ldy, int accumulate);

#endif
