/* The kernels of AffineKernels.h for one scalar type: Affine.c includes this file once per type,
   with SCALAR (float or double) and SUFFIX (f32 or f64) defined. */

#include "VectorTemplate.h"

/* Row after row, so that each row's outputs are stored in order, whole cache lines at a time;
   the weights come from the L1 cache. `IN` is a constant where this is inlined, so that the
   input loop unrolls and the row's inputs stay in registers. */
static ALWAYS_INLINE void NAME(affine_body)(int IN, int64_t rows, int64_t out, const SCALAR *x, int64_t x_stride,
                                            const SCALAR *wt, int64_t wt_stride, const SCALAR *bias, SCALAR *y,
                                            int64_t y_stride) {
    for (int64_t r = 0; r < rows; r++) {
        SCALAR xr[GRULAB_AFFINE_MAX_IN];
        for (int i = 0; i < IN; i++) xr[i] = x[r * x_stride + i];
        for (int64_t o = 0; o < out; o += LANES) {
            const int64_t n = out - o;
            VECTOR sum;
            NAME(load_first)(&sum, bias + o, n);
            for (int i = 0; i < IN; i++) {
                VECTOR w;
                NAME(load_first)(&w, wt + i * wt_stride + o, n);
                sum += xr[i] * w;
            }
            NAME(store_first)(y + r * y_stride + o, &sum, n);
        }
    }
}

/* Row after row, each row's units in order; `IN` is a constant where this is inlined. */
static ALWAYS_INLINE void NAME(mingru_forward_body)(int IN, int64_t rows, int64_t hidden, const SCALAR *x,
                                                    const SCALAR *z, const SCALAR *h_prev, const SCALAR *packed,
                                                    SCALAR *h) {
    const int64_t H = hidden, stride = 2 * hidden;
    const SCALAR *bh = packed + IN * stride + H;
    const VECTOR one = (VECTOR){0} + 1;
    for (int64_t r = 0; r < rows; r++) {
        SCALAR xr[GRULAB_AFFINE_MAX_IN];
        for (int i = 0; i < IN; i++) xr[i] = x[r * IN + i];
        for (int64_t j = 0; j < H; j += LANES) {
            const int64_t n = H - j, at = r * H + j;
            VECTOR zv, pv, candidate, w;
            NAME(load_first)(&zv, z + at, n);
            NAME(load_first)(&pv, h_prev + at, n);
            NAME(load_first)(&candidate, bh + j, n);
            for (int i = 0; i < IN; i++) {
                NAME(load_first)(&w, packed + i * stride + H + j, n);
                candidate += xr[i] * w;
            }
            const VECTOR next = (one - zv) * pv + zv * candidate;
            NAME(store_first)(h + at, &next, n);
        }
    }
}

/* σ'(a) from a gate's output z, for the gate `GATE` (a constant where inlined). */
static ALWAYS_INLINE void NAME(gate_derivative)(int GATE, const VECTOR *z, VECTOR *d) {
    const VECTOR zero = {0}, one = zero + 1;
    switch (GATE) {
    case grulab_gate_sigmoid: *d = *z * (one - *z); break;
    case grulab_gate_hard_sigmoid: *d = (VECTOR)((MASK)(*z > zero) & (MASK)(*z < one) & (MASK)(zero + (SCALAR)1 / 6)); break;
    case grulab_gate_tanh: *d = one - *z * *z; break;
    default: *d = (VECTOR)((MASK)(*z > zero) & (MASK)one); break;
    }
}

/* Row after row, each row's units in order, so that z, h_prev and dh stream through in the
   order they lie; a row's dx sums stay in registers. The weights and the parameter gradients
   are copied into `work` a block of LANES units at a time, [wz_0 … wz_IN-1, wh_0 …, b_h] and
   [dwz_0 …, dwh_0 …, db_z, db_h] (zeros past the last unit), so that a block's vectors lie
   together and one pointer reaches them all: with a pointer for each, they outnumber the
   registers. The gradients are added there in row order and copied back. `IN` and `GATE` are
   constants where this is inlined. */
static ALWAYS_INLINE void NAME(mingru_backward_body)(int IN, int GATE, int64_t rows, int64_t hidden,
                                                     const SCALAR *x, const SCALAR *z, const SCALAR *h_prev,
                                                     SCALAR *dh, const SCALAR *packed, SCALAR *dx,
                                                     SCALAR *dpacked, SCALAR *work) {
    const int64_t H = hidden, stride = 2 * hidden, blocks = (H + LANES - 1) / LANES;
    const int W = 2 * IN + 1, G = 2 * IN + 2; /* vectors a block */
    /* 32-byte aligned, as vectors are: the count of grulab_mingru_backward_work_count leaves room */
    SCALAR *weights = (SCALAR *)(((uintptr_t)work + 31) & ~(uintptr_t)31);
    SCALAR *gradients = weights + blocks * W * LANES;
    for (int64_t b = 0; b < blocks; b++) {
        const int64_t j = b * LANES, n = H - j;
        VECTOR *w = (VECTOR *)(weights + b * W * LANES), *g = (VECTOR *)(gradients + b * G * LANES);
        for (int i = 0; i < IN; i++) {
            NAME(load_first)(&w[i], packed + i * stride + j, n);
            NAME(load_first)(&w[IN + i], packed + i * stride + H + j, n);
            NAME(load_first)(&g[i], dpacked + i * stride + j, n);
            NAME(load_first)(&g[IN + i], dpacked + i * stride + H + j, n);
        }
        NAME(load_first)(&w[2 * IN], packed + IN * stride + H + j, n);
        NAME(load_first)(&g[2 * IN], dpacked + IN * stride + j, n);
        NAME(load_first)(&g[2 * IN + 1], dpacked + IN * stride + H + j, n);
    }
    const VECTOR one = (VECTOR){0} + 1;
    for (int64_t r = 0; r < rows; r++) {
        SCALAR xr[GRULAB_AFFINE_MAX_IN];
        VECTOR sums[GRULAB_AFFINE_MAX_IN];
        for (int i = 0; i < IN; i++) {
            xr[i] = x[r * IN + i];
            sums[i] = (VECTOR){0};
        }
        const SCALAR *zr = z + r * H, *pr = h_prev + r * H;
        SCALAR *dr = dh + r * H;
        const VECTOR *w = (const VECTOR *)weights;
        VECTOR *g = (VECTOR *)gradients;
        for (int64_t j = 0; j < H; j += LANES, w += W, g += G) {
            const int64_t n = H - j;
            VECTOR zv, pv, dv, derivative, candidate = w[2 * IN];
            NAME(load_first)(&zv, zr + j, n);
            NAME(load_first)(&pv, pr + j, n);
            NAME(load_first)(&dv, dr + j, n);
            for (int i = 0; i < IN; i++) candidate += xr[i] * w[IN + i];
            NAME(gate_derivative)(GATE, &zv, &derivative);
            const VECTOR daz = dv * (candidate - pv) * derivative, dah = dv * zv, carried = dv * (one - zv);
            NAME(store_first)(dr + j, &carried, n);
            g[2 * IN] += daz;
            g[2 * IN + 1] += dah;
            for (int i = 0; i < IN; i++) {
                g[i] += xr[i] * daz;
                g[IN + i] += xr[i] * dah;
                sums[i] += w[i] * daz;
                sums[i] += w[IN + i] * dah;
            }
        }
        for (int i = 0; i < IN; i++) {
            SCALAR lanes[LANES];
            memcpy(lanes, &sums[i], sizeof lanes);
            SCALAR total = lanes[0];
            for (int64_t l = 1; l < LANES; l++) total += lanes[l];
            dx[r * IN + i] = total;
        }
    }
    for (int64_t b = 0; b < blocks; b++) {
        const int64_t j = b * LANES, n = H - j;
        const VECTOR *g = (const VECTOR *)(gradients + b * G * LANES);
        for (int i = 0; i < IN; i++) {
            NAME(store_first)(dpacked + i * stride + j, &g[i], n);
            NAME(store_first)(dpacked + i * stride + H + j, &g[IN + i], n);
        }
        NAME(store_first)(dpacked + IN * stride + j, &g[2 * IN], n);
        NAME(store_first)(dpacked + IN * stride + H + j, &g[2 * IN + 1], n);
    }
}

/* A body with `in` as a constant, 1 ... GRULAB_AFFINE_MAX_IN. */
#define WITH_CONSTANT_IN(call) \
    switch (in) {              \
    case 1: call(1); break;    \
    case 2: call(2); break;    \
    case 3: call(3); break;    \
    case 4: call(4); break;    \
    case 5: call(5); break;    \
    case 6: call(6); break;    \
    case 7: call(7); break;    \
    default: call(8); break;   \
    }
#define AFFINE(IN) NAME(affine_body)(IN, rows, out, x, x_stride, wt, wt_stride, bias, y, y_stride)
#define MINGRU_FORWARD(IN) NAME(mingru_forward_body)(IN, rows, hidden, x, z, h_prev, packed, h)
#define MINGRU_BACKWARD_GATE(IN, GATE) \
    NAME(mingru_backward_body)(IN, GATE, rows, hidden, x, z, h_prev, dh, packed, dx, dpacked, work)
#define MINGRU_BACKWARD(IN)                                                                         \
    switch (gate) {                                                                                 \
    case grulab_gate_sigmoid: MINGRU_BACKWARD_GATE(IN, grulab_gate_sigmoid); break;                 \
    case grulab_gate_hard_sigmoid: MINGRU_BACKWARD_GATE(IN, grulab_gate_hard_sigmoid); break;       \
    case grulab_gate_tanh: MINGRU_BACKWARD_GATE(IN, grulab_gate_tanh); break;                       \
    default: MINGRU_BACKWARD_GATE(IN, grulab_gate_relu); break;                                     \
    }

static ALWAYS_INLINE void NAME(affine_any)(int64_t rows, int64_t in, int64_t out, const SCALAR *x, int64_t x_stride,
                                           const SCALAR *wt, int64_t wt_stride, const SCALAR *bias, SCALAR *y,
                                           int64_t y_stride) {
    WITH_CONSTANT_IN(AFFINE)
}

static ALWAYS_INLINE void NAME(mingru_forward_any)(int64_t rows, int64_t in, int64_t hidden, const SCALAR *x,
                                                   const SCALAR *z, const SCALAR *h_prev, const SCALAR *packed,
                                                   SCALAR *h) {
    WITH_CONSTANT_IN(MINGRU_FORWARD)
}

static ALWAYS_INLINE void NAME(mingru_backward_any)(int64_t rows, int64_t in, int64_t hidden, grulab_gate gate,
                                                    const SCALAR *x, const SCALAR *z, const SCALAR *h_prev,
                                                    SCALAR *dh, const SCALAR *packed, SCALAR *dx, SCALAR *dpacked,
                                                    SCALAR *work) {
    WITH_CONSTANT_IN(MINGRU_BACKWARD)
}

#undef MINGRU_BACKWARD
#undef MINGRU_FORWARD
#undef MINGRU_BACKWARD_GATE
#undef AFFINE
#undef WITH_CONSTANT_IN

/* The same bodies compiled for AVX2 and FMA, chosen at run time; the plain functions below are
   for the baseline instruction set. */
#ifdef FAST_TARGET
static FAST_TARGET void NAME(affine_fast)(int64_t rows, int64_t in, int64_t out, const SCALAR *x, int64_t x_stride,
                                          const SCALAR *wt, int64_t wt_stride, const SCALAR *bias, SCALAR *y,
                                          int64_t y_stride) {
    NAME(affine_any)(rows, in, out, x, x_stride, wt, wt_stride, bias, y, y_stride);
}

static FAST_TARGET void NAME(mingru_forward_fast)(int64_t rows, int64_t in, int64_t hidden, const SCALAR *x,
                                                  const SCALAR *z, const SCALAR *h_prev, const SCALAR *packed,
                                                  SCALAR *h) {
    NAME(mingru_forward_any)(rows, in, hidden, x, z, h_prev, packed, h);
}

static FAST_TARGET void NAME(mingru_backward_fast)(int64_t rows, int64_t in, int64_t hidden, grulab_gate gate,
                                                   const SCALAR *x, const SCALAR *z, const SCALAR *h_prev,
                                                   SCALAR *dh, const SCALAR *packed, SCALAR *dx, SCALAR *dpacked,
                                                   SCALAR *work) {
    NAME(mingru_backward_any)(rows, in, hidden, gate, x, z, h_prev, dh, packed, dx, dpacked, work);
}
#endif

void NAME(grulab_affine_rows)(int64_t rows, int64_t in, int64_t out, const SCALAR *x, int64_t x_stride,
                              const SCALAR *wt, int64_t wt_stride, const SCALAR *bias, SCALAR *y, int64_t y_stride) {
#ifdef FAST_TARGET
    if (grulab_fast_available()) {
        NAME(affine_fast)(rows, in, out, x, x_stride, wt, wt_stride, bias, y, y_stride);
        return;
    }
#endif
    NAME(affine_any)(rows, in, out, x, x_stride, wt, wt_stride, bias, y, y_stride);
}

void NAME(grulab_mingru_forward)(int64_t rows, int64_t in, int64_t hidden, const SCALAR *x, const SCALAR *z,
                                 const SCALAR *h_prev, const SCALAR *packed, SCALAR *h) {
#ifdef FAST_TARGET
    if (grulab_fast_available()) {
        NAME(mingru_forward_fast)(rows, in, hidden, x, z, h_prev, packed, h);
        return;
    }
#endif
    NAME(mingru_forward_any)(rows, in, hidden, x, z, h_prev, packed, h);
}

void NAME(grulab_mingru_backward)(int64_t rows, int64_t in, int64_t hidden, grulab_gate gate, const SCALAR *x,
                                  const SCALAR *z, const SCALAR *h_prev, SCALAR *dh, const SCALAR *packed, SCALAR *dx,
                                  SCALAR *dpacked, SCALAR *work) {
#ifdef FAST_TARGET
    if (grulab_fast_available()) {
        NAME(mingru_backward_fast)(rows, in, hidden, gate, x, z, h_prev, dh, packed, dx, dpacked, work);
        return;
    }
#endif
    NAME(mingru_backward_any)(rows, in, hidden, gate, x, z, h_prev, dh, packed, dx, dpacked, work);
}

#undef LANES
#undef VECTOR
#undef NAME__
#undef NAME_
#undef NAME
