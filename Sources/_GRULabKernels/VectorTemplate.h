/* What the per-type kernel templates share (ConvolutionTemplate.h, AffineTemplate.h): names
   suffixed by the type, one 256-bit vector of SCALAR, and loads and stores of whole and partial
   vectors. A template includes it first, with SCALAR and SUFFIX defined, and undefines its
   names at its end. */

#define NAME(name) NAME_(name, SUFFIX)
#define NAME_(name, suffix) NAME__(name, suffix)
#define NAME__(name, suffix) name##_##suffix

/* One 256-bit vector, and its lanes. Vectors move through pointers only: passing one by value
   would change the calling convention between the AVX2 and the baseline compilations. */
typedef SCALAR NAME(vector) __attribute__((vector_size(32)));
#define VECTOR NAME(vector)
#define LANES ((int64_t)(32 / sizeof(SCALAR)))

static ALWAYS_INLINE void NAME(load)(VECTOR *v, const SCALAR *p) { memcpy(v, p, sizeof *v); }

/* The first `n` elements at `p` (all LANES when n >= LANES), zeros after them. A whole vector
   is one load; a part is copied element by element (which the compiler makes a call to memcpy),
   for the last vector of a row only. */
static ALWAYS_INLINE void NAME(load_first)(VECTOR *v, const SCALAR *p, int64_t n) {
    if (n >= LANES) {
        NAME(load)(v, p);
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
