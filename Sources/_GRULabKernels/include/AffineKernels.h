#ifndef GRULAB_AFFINE_KERNELS_H
#define GRULAB_AFFINE_KERNELS_H

#include <stdint.h>

/// Affine maps with few inputs (`in` at most `GRULAB_AFFINE_MAX_IN`), where BLAS spends more time
/// packing its operands than multiplying (a cell with 2 input features and 256 outputs per row
/// does 2 multiply-adds per output), and the backward step of a minimal GRU built on them.
/// Row-major, rightmost fastest; the weight is given transposed, `wt` `[in, out]`, so that a row
/// of outputs is a row of vectors. Each function has a float and a double form and runs with AVX2 and FMA
/// where the processor has them (asked once), else with the baseline instruction set. Sums run
/// in a fixed order, so a result depends on neither the number of rows nor where a row sits.
#define GRULAB_AFFINE_MAX_IN 8

/// `y[r, o] = bias[o] + Σ_i x[r, i] · wt[i, o]`, `i` in order: x `[rows, in]`, wt `[in, out]`,
/// bias `[out]`, y `[rows, out]`.
void grulab_affine_rows_f32(int64_t rows, int64_t in, int64_t out, const float *x, int64_t x_stride,
                            const float *wt, int64_t wt_stride, const float *bias, float *y, int64_t y_stride);
void grulab_affine_rows_f64(int64_t rows, int64_t in, int64_t out, const double *x, int64_t x_stride,
                            const double *wt, int64_t wt_stride, const double *bias, double *y, int64_t y_stride);

/// A step of a minimal GRU (`MinGRUCell`) with `in` inputs (at most `GRULAB_AFFINE_MAX_IN`) for
/// `rows` rows of `hidden` units, from its gate z (activated):
///
///     h = (1 - z) ⊙ h_prev + z ⊙ (b_h + x W_h^T)
///
/// x `[rows, in]`, z, h_prev and h `[rows, hidden]`, all contiguous; `packed` as for
/// ``grulab_mingru_backward_f32`` (only W_h and b_h are read). h~ is computed as that function
/// recomputes it.
void grulab_mingru_forward_f32(int64_t rows, int64_t in, int64_t hidden, const float *x, const float *z,
                               const float *h_prev, const float *packed, float *h);
void grulab_mingru_forward_f64(int64_t rows, int64_t in, int64_t hidden, const double *x, const double *z,
                               const double *h_prev, const double *packed, double *h);

/// The activations of a gate, for ``grulab_mingru_backward_f32``, which takes the derivative
/// from the gate's output `z` as GRULab's `Activation` does.
typedef enum {
    grulab_gate_sigmoid = 0,      /* z (1 - z) */
    grulab_gate_hard_sigmoid = 1, /* 1/6 where 0 < z < 1, else 0 */
    grulab_gate_tanh = 2,         /* 1 - z² */
    grulab_gate_relu = 3,         /* 1 where z > 0, else 0 */
} grulab_gate;

/// The backward of one step of a minimal GRU (`MinGRUCell`) with `in` inputs (at most
/// `GRULAB_AFFINE_MAX_IN`) for `rows` rows of `hidden` units, from `dh` = dL/dh_t, in one pass
/// over the rows:
///
///     h~        = b_h + x W_h^T                      (recomputed, as grulab_affine_rows does)
///     da_z      = dh ⊙ (h~ - h_prev) ⊙ σ'(z)         (the gradients of the pre-activations)
///     da_h      = dh ⊙ z
///     dh       ← dh ⊙ (1 - z)                        (dL/dh_{t-1} through the step)
///     dx        = da_z W_z + da_h W_h                 (overwritten)
///     dpacked  += [x^T da_z, x^T da_h; Σ_r da_z, Σ_r da_h]
///
/// x `[rows, in]`, z, h_prev and dh `[rows, hidden]`, dx `[rows, in]`, all contiguous. `packed`
/// `[in + 1, 2·hidden]` holds in row `i` column `i` of W_z and then of W_h, in its last row b_z and
/// then b_h (b_z is not read); `dpacked` is its gradient, laid out alike. `work` holds
/// `grulab_mingru_backward_work_count(in, hidden)` elements. Rows are summed in order; a row's
/// `dx` sums its units in vectors (8 floats or 4 doubles wide) and then adds the lanes in order.
void grulab_mingru_backward_f32(int64_t rows, int64_t in, int64_t hidden, grulab_gate gate, const float *x,
                                const float *z, const float *h_prev, float *dh, const float *packed, float *dx,
                                float *dpacked, float *work);
void grulab_mingru_backward_f64(int64_t rows, int64_t in, int64_t hidden, grulab_gate gate, const double *x,
                                const double *z, const double *h_prev, double *dh, const double *packed,
                                double *dx, double *dpacked, double *work);

/// The elements of the `work` buffer of ``grulab_mingru_backward_f32`` (or `_f64`).
int64_t grulab_mingru_backward_work_count(int64_t in, int64_t hidden);

#endif
