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

/* The parameter gradients one vector of outputs at a time, their sums in registers across all
   rows; then each row's input gradient, IN dot products in vectors over the outputs (the zeros
   that load_first puts past a row's end add nothing), whose lanes are added last, in order. */
static ALWAYS_INLINE void NAME(affine_backward_body)(int IN, int64_t rows, int64_t out, const SCALAR *x,
                                                     int64_t x_stride, const SCALAR *dy, int64_t dy_stride,
                                                     const SCALAR *wt, int64_t wt_stride, SCALAR *dx,
                                                     int64_t dx_stride, SCALAR *dwt, int64_t dwt_stride,
                                                     SCALAR *dbias) {
    for (int64_t o = 0; o < out; o += LANES) {
        const int64_t n = out - o;
        VECTOR g[GRULAB_AFFINE_MAX_IN], gb;
        for (int i = 0; i < IN; i++) NAME(load_first)(&g[i], dwt + i * dwt_stride + o, n);
        NAME(load_first)(&gb, dbias + o, n);
        for (int64_t r = 0; r < rows; r++) {
            VECTOR d;
            NAME(load_first)(&d, dy + r * dy_stride + o, n);
            gb += d;
            for (int i = 0; i < IN; i++) g[i] += x[r * x_stride + i] * d;
        }
        for (int i = 0; i < IN; i++) NAME(store_first)(dwt + i * dwt_stride + o, &g[i], n);
        NAME(store_first)(dbias + o, &gb, n);
    }
    for (int64_t r = 0; r < rows; r++) {
        VECTOR s[GRULAB_AFFINE_MAX_IN];
        for (int i = 0; i < IN; i++) s[i] = (VECTOR){0};
        for (int64_t o = 0; o < out; o += LANES) {
            VECTOR d;
            NAME(load_first)(&d, dy + r * dy_stride + o, out - o);
            for (int i = 0; i < IN; i++) {
                VECTOR w;
                NAME(load_first)(&w, wt + i * wt_stride + o, out - o);
                s[i] += d * w;
            }
        }
        for (int i = 0; i < IN; i++) {
            SCALAR lanes[LANES];
            memcpy(lanes, &s[i], sizeof lanes);
            SCALAR total = lanes[0];
            for (int64_t l = 1; l < LANES; l++) total += lanes[l];
            dx[r * dx_stride + i] = total;
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
#define AFFINE_BACKWARD(IN)                                                                                   \
    NAME(affine_backward_body)(IN, rows, out, x, x_stride, dy, dy_stride, wt, wt_stride, dx, dx_stride, dwt, \
                               dwt_stride, dbias)

static ALWAYS_INLINE void NAME(affine_any)(int64_t rows, int64_t in, int64_t out, const SCALAR *x, int64_t x_stride,
                                           const SCALAR *wt, int64_t wt_stride, const SCALAR *bias, SCALAR *y,
                                           int64_t y_stride) {
    WITH_CONSTANT_IN(AFFINE)
}

static ALWAYS_INLINE void NAME(affine_backward_any)(int64_t rows, int64_t in, int64_t out, const SCALAR *x,
                                                    int64_t x_stride, const SCALAR *dy, int64_t dy_stride,
                                                    const SCALAR *wt, int64_t wt_stride, SCALAR *dx,
                                                    int64_t dx_stride, SCALAR *dwt, int64_t dwt_stride,
                                                    SCALAR *dbias) {
    WITH_CONSTANT_IN(AFFINE_BACKWARD)
}

#undef AFFINE_BACKWARD
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

static FAST_TARGET void NAME(affine_backward_fast)(int64_t rows, int64_t in, int64_t out, const SCALAR *x,
                                                   int64_t x_stride, const SCALAR *dy, int64_t dy_stride,
                                                   const SCALAR *wt, int64_t wt_stride, SCALAR *dx,
                                                   int64_t dx_stride, SCALAR *dwt, int64_t dwt_stride,
                                                   SCALAR *dbias) {
    NAME(affine_backward_any)(rows, in, out, x, x_stride, dy, dy_stride, wt, wt_stride, dx, dx_stride, dwt,
                              dwt_stride, dbias);
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

void NAME(grulab_affine_rows_backward)(int64_t rows, int64_t in, int64_t out, const SCALAR *x, int64_t x_stride,
                                       const SCALAR *dy, int64_t dy_stride, const SCALAR *wt, int64_t wt_stride,
                                       SCALAR *dx, int64_t dx_stride, SCALAR *dwt, int64_t dwt_stride,
                                       SCALAR *dbias) {
#ifdef FAST_TARGET
    if (grulab_fast_available()) {
        NAME(affine_backward_fast)(rows, in, out, x, x_stride, dy, dy_stride, wt, wt_stride, dx, dx_stride, dwt,
                                   dwt_stride, dbias);
        return;
    }
#endif
    NAME(affine_backward_any)(rows, in, out, x, x_stride, dy, dy_stride, wt, wt_stride, dx, dx_stride, dwt,
                              dwt_stride, dbias);
}

#undef LANES
#undef VECTOR
#undef NAME__
#undef NAME_
#undef NAME
