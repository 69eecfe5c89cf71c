/* The kernels of AffineKernels.h for one scalar type: Affine.c includes this file once per type,
   with SCALAR (float or double) and SUFFIX (f32 or f64) defined. */

#define NAME(name) NAME_(name, SUFFIX)
#define NAME_(name, suffix) NAME__(name, suffix)
#define NAME__(name, suffix) name##_##suffix

/* One 256-bit vector, and its lanes. Vectors move through pointers only: passing one by value
   would change the calling convention between the AVX2 and the baseline compilations. */
typedef SCALAR NAME(vector) __attribute__((vector_size(32)));
#define VECTOR NAME(vector)
#define LANES ((int64_t)(32 / sizeof(SCALAR)))

/* The first `n` elements at `p` (all LANES when n >= LANES), zeros after them: the last vector
   of a row that is not a whole vector reads nothing past the row's end. */
static ALWAYS_INLINE void NAME(load_first)(VECTOR *v, const SCALAR *p, int64_t n) {
    if (n >= LANES) {
        memcpy(v, p, sizeof *v);
        return;
    }
    SCALAR lanes[LANES] = {0};
    for (int64_t l = 0; l < n; l++) lanes[l] = p[l];
    memcpy(v, lanes, sizeof *v);
}

/* The first `n` lanes of `v` to `p` (all when n >= LANES). */
static ALWAYS_INLINE void NAME(store_first)(SCALAR *p, const VECTOR *v, int64_t n) {
    if (n >= LANES) {
        memcpy(p, v, sizeof *v);
        return;
    }
    SCALAR lanes[LANES];
    memcpy(lanes, v, sizeof *v);
    for (int64_t l = 0; l < n; l++) p[l] = lanes[l];
}

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
   order they lie; the parameter gradients (2·IN + 2 vectors a block of units) are added in the
   L1 cache, and a row's dx sums stay in registers. `IN` and `GATE` are constants where this is
   inlined. */
static ALWAYS_INLINE void NAME(mingru_backward_body)(int IN, int GATE, int64_t rows, int64_t hidden,
                                                     const SCALAR *x, const SCALAR *z, const SCALAR *h_prev,
                                                     SCALAR *dh, const SCALAR *packed, SCALAR *dx,
                                                     SCALAR *dpacked) {
    const int64_t H = hidden, stride = 2 * hidden;
    const SCALAR *bh = packed + IN * stride + H;
    SCALAR *dbz = dpacked + IN * stride, *dbh = dbz + H;
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
        for (int64_t j = 0; j < H; j += LANES) {
            const int64_t n = H - j;
            VECTOR zv, pv, dv, derivative, candidate, v;
            NAME(load_first)(&zv, zr + j, n);
            NAME(load_first)(&pv, pr + j, n);
            NAME(load_first)(&dv, dr + j, n);
            NAME(load_first)(&candidate, bh + j, n);
            for (int i = 0; i < IN; i++) {
                NAME(load_first)(&v, packed + i * stride + H + j, n);
                candidate += xr[i] * v;
            }
            NAME(gate_derivative)(GATE, &zv, &derivative);
            const VECTOR daz = dv * (candidate - pv) * derivative, dah = dv * zv, carried = dv * (one - zv);
            NAME(store_first)(dr + j, &carried, n);
            NAME(load_first)(&v, dbz + j, n);
            v += daz;
            NAME(store_first)(dbz + j, &v, n);
            NAME(load_first)(&v, dbh + j, n);
            v += dah;
            NAME(store_first)(dbh + j, &v, n);
            for (int i = 0; i < IN; i++) {
                SCALAR *gz = dpacked + i * stride + j, *gh = gz + H;
                NAME(load_first)(&v, gz, n);
                v += xr[i] * daz;
                NAME(store_first)(gz, &v, n);
                NAME(load_first)(&v, gh, n);
                v += xr[i] * dah;
                NAME(store_first)(gh, &v, n);
                NAME(load_first)(&v, packed + i * stride + j, n);
                sums[i] += v * daz;
                NAME(load_first)(&v, packed + i * stride + H + j, n);
                sums[i] += v * dah;
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
#define MINGRU_BACKWARD_GATE(IN, GATE) \
    NAME(mingru_backward_body)(IN, GATE, rows, hidden, x, z, h_prev, dh, packed, dx, dpacked)
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

static ALWAYS_INLINE void NAME(mingru_backward_any)(int64_t rows, int64_t in, int64_t hidden, grulab_gate gate,
                                                    const SCALAR *x, const SCALAR *z, const SCALAR *h_prev,
                                                    SCALAR *dh, const SCALAR *packed, SCALAR *dx, SCALAR *dpacked) {
    WITH_CONSTANT_IN(MINGRU_BACKWARD)
}

#undef MINGRU_BACKWARD
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

static FAST_TARGET void NAME(mingru_backward_fast)(int64_t rows, int64_t in, int64_t hidden, grulab_gate gate,
                                                   const SCALAR *x, const SCALAR *z, const SCALAR *h_prev,
                                                   SCALAR *dh, const SCALAR *packed, SCALAR *dx, SCALAR *dpacked) {
    NAME(mingru_backward_any)(rows, in, hidden, gate, x, z, h_prev, dh, packed, dx, dpacked);
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

void NAME(grulab_mingru_backward)(int64_t rows, int64_t in, int64_t hidden, grulab_gate gate, const SCALAR *x,
                                  const SCALAR *z, const SCALAR *h_prev, SCALAR *dh, const SCALAR *packed, SCALAR *dx,
                                  SCALAR *dpacked) {
#ifdef FAST_TARGET
    if (grulab_fast_available()) {
        NAME(mingru_backward_fast)(rows, in, hidden, gate, x, z, h_prev, dh, packed, dx, dpacked);
        return;
    }
#endif
    NAME(mingru_backward_any)(rows, in, hidden, gate, x, z, h_prev, dh, packed, dx, dpacked);
}

#undef LANES
#undef VECTOR
#undef NAME__
#undef NAME_
#undef NAME
