#ifndef GRULAB_AFFINE_KERNELS_H
#define GRULAB_AFFINE_KERNELS_H

#include <stdint.h>

/// Affine maps with few inputs (`in` at most `GRULAB_AFFINE_MAX_IN`), where BLAS spends more time
/// packing its operands than multiplying: a cell with 2 input features and 256 outputs per row
/// does 2 multiply-adds per output. Row-major, rightmost fastest, every matrix at its own row
/// stride; the weight is given transposed, `wt` `[in, out]`, so that a row of outputs is a
/// row of vectors. Each function has a float and a double form and runs with AVX2 and FMA
/// where the processor has them (asked once), else with the baseline instruction set. Sums run
/// in a fixed order, so a result depends on neither the number of rows nor where a row sits.
#define GRULAB_AFFINE_MAX_IN 8

/// `y[r, o] = bias[o] + Σ_i x[r, i] · wt[i, o]`, `i` in order: x `[rows, in]`, wt `[in, out]`,
/// bias `[out]`, y `[rows, out]`.
void grulab_affine_rows_f32(int64_t rows, int64_t in, int64_t out, const float *x, int64_t x_stride,
                            const float *wt, int64_t wt_stride, const float *bias, float *y, int64_t y_stride);
void grulab_affine_rows_f64(int64_t rows, int64_t in, int64_t out, const double *x, int64_t x_stride,
                            const double *wt, int64_t wt_stride, const double *bias, double *y, int64_t y_stride);

/// The backward of ``grulab_affine_rows_f32`` for `rows` rows of `dy` (`[rows, out]`), in one pass
/// over them:
///
///     dx[r, i]    = Σ_o dy[r, o] · wt[i, o]     (overwritten)
///     dwt[i, o]  += Σ_r x[r, i] · dy[r, o]      (the gradient of wt, transposed as wt is)
///     dbias[o]   += Σ_r dy[r, o]
///
/// `dwt` `[in, out]` at `dwt_stride`, `dbias` `[out]`. Rows are summed in order; a row's `dx` sums
/// its outputs in vectors (8 floats or 4 doubles wide) and then adds the lanes in order.
void grulab_affine_rows_backward_f32(int64_t rows, int64_t in, int64_t out, const float *x, int64_t x_stride,
                                     const float *dy, int64_t dy_stride, const float *wt, int64_t wt_stride,
                                     float *dx, int64_t dx_stride, float *dwt, int64_t dwt_stride, float *dbias);
void grulab_affine_rows_backward_f64(int64_t rows, int64_t in, int64_t out, const double *x, int64_t x_stride,
                                     const double *dy, int64_t dy_stride, const double *wt, int64_t wt_stride,
                                     double *dx, int64_t dx_stride, double *dwt, int64_t dwt_stride,
                                     double *dbias);

#endif
