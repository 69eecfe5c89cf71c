#include "PackedProductKernels.h"
#include "FastTarget.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define PANEL 16

size_t grulab_packed_size_f32(int outputs, int inner) {
    return (size_t)((outputs + PANEL - 1) / PANEL) * PANEL * (size_t)inner;
}

void grulab_pack_panels_f32(const float *weight, int outputs, int inner, ptrdiff_t outputStride,
                            ptrdiff_t innerStride, float *packed) {
    for (int p = 0; p < (outputs + PANEL - 1) / PANEL; p++) {
        for (int i = 0; i < inner; i++) {
            float *row = packed + ((size_t)p * inner + i) * PANEL;
            for (int j = 0; j < PANEL; j++) {
                int o = p * PANEL + j;
                row[j] = o < outputs ? weight[o * outputStride + i * innerStride] : 0.0f;
            }
        }
    }
}

/* Writes or adds a tile's `rows x cols` sums (row r's 16 in sums[16 r ...]). */
static inline void store_tile(const float *sums, int rows, int cols, float *y, ptrdiff_t ldy, int accumulate) {
    for (int r = 0; r < rows; r++) {
        float *out = y + r * ldy;
        for (int j = 0; j < cols; j++) out[j] = accumulate ? out[j] + sums[PANEL * r + j] : sums[PANEL * r + j];
    }
}

static void product_scalar(int rows, int outputs, int inner, const float *x, ptrdiff_t ldx,
                           const float *packed, float *y, ptrdiff_t ldy, int accumulate) {
    float sums[PANEL];
    for (int p = 0; p < (outputs + PANEL - 1) / PANEL; p++) {
        const float *panel = packed + (size_t)p * inner * PANEL;
        int cols = outputs - p * PANEL < PANEL ? outputs - p * PANEL : PANEL;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < PANEL; j++) sums[j] = 0.0f;
            for (int i = 0; i < inner; i++) {
                float v = x[r * ldx + i];
                for (int j = 0; j < PANEL; j++) sums[j] += v * panel[i * PANEL + j];
            }
            store_tile(sums, 1, cols, y + r * ldy + p * PANEL, ldy, accumulate);
        }
    }
}

#if defined(FAST_TARGET)

/* One tile of `rows` (1 to 6) rows by a panel's 16 outputs: 12 named accumulators, which stay
   in registers (an array of them is spilled to memory), each row's value broadcast against the
   panel's two vectors at every inner index. `rows` is a constant where this is inlined, so the
   unused rows' work is compiled away. */
#define ROW(r, a, b)                                                        \
    if (rows > r) {                                                         \
        __m256 v = _mm256_broadcast_ss(x##r + i);                           \
        a = _mm256_fmadd_ps(v, b0, a);                                      \
        b = _mm256_fmadd_ps(v, b1, b);                                      \
    }
static inline __attribute__((always_inline)) FAST_TARGET void tile_avx2(
    int rows, int inner, const float *x, ptrdiff_t ldx, const float *panel, int cols, float *y, ptrdiff_t ldy,
    int accumulate) {
    const float *x0 = x, *x1 = x + ldx, *x2 = x + 2 * ldx, *x3 = x + 3 * ldx, *x4 = x + 4 * ldx, *x5 = x + 5 * ldx;
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;
    __m256 s6 = s0, s7 = s0, s8 = s0, s9 = s0, s10 = s0, s11 = s0;
    for (int i = 0; i < inner; i++) {
        __m256 b0 = _mm256_loadu_ps(panel + i * PANEL), b1 = _mm256_loadu_ps(panel + i * PANEL + 8);
        ROW(0, s0, s1) ROW(1, s2, s3) ROW(2, s4, s5) ROW(3, s6, s7) ROW(4, s8, s9) ROW(5, s10, s11)
    }
    __m256 all[12] = {s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11};
    if (cols == PANEL) {
        for (int r = 0; r < rows; r++) {
            float *out = y + r * ldy;
            __m256 low = all[2 * r], high = all[2 * r + 1];
            if (accumulate) {
                low = _mm256_add_ps(_mm256_loadu_ps(out), low);
                high = _mm256_add_ps(_mm256_loadu_ps(out + 8), high);
            }
            _mm256_storeu_ps(out, low);
            _mm256_storeu_ps(out + 8, high);
        }
        return;
    }
    float sums[6 * PANEL];
    for (int k = 0; k < 2 * rows; k++) _mm256_storeu_ps(sums + 8 * k, all[k]);
    store_tile(sums, rows, cols, y, ldy, accumulate);
}
#undef ROW

static FAST_TARGET void product_avx2(int rows, int outputs, int inner, const float *x, ptrdiff_t ldx,
                                     const float *packed, float *y, ptrdiff_t ldy, int accumulate) {
    for (int p = 0; p < (outputs + PANEL - 1) / PANEL; p++) {
        const float *panel = packed + (size_t)p * inner * PANEL;
        int cols = outputs - p * PANEL < PANEL ? outputs - p * PANEL : PANEL;
        float *out = y + p * PANEL;
        int r = 0;
        for (; r + 6 <= rows; r += 6) tile_avx2(6, inner, x + r * ldx, ldx, panel, cols, out + r * ldy, ldy, accumulate);
        switch (rows - r) {
        case 5: tile_avx2(5, inner, x + r * ldx, ldx, panel, cols, out + r * ldy, ldy, accumulate); break;
        case 4: tile_avx2(4, inner, x + r * ldx, ldx, panel, cols, out + r * ldy, ldy, accumulate); break;
        case 3: tile_avx2(3, inner, x + r * ldx, ldx, panel, cols, out + r * ldy, ldy, accumulate); break;
        case 2: tile_avx2(2, inner, x + r * ldx, ldx, panel, cols, out + r * ldy, ldy, accumulate); break;
        case 1: tile_avx2(1, inner, x + r * ldx, ldx, panel, cols, out + r * ldy, ldy, accumulate); break;
        default: break;
        }
    }
}

#endif

void grulab_packed_product_f32(int rows, int outputs, int inner, const float *x, ptrdiff_t ldx,
                               const float *packed, float *y, ptrdiff_t ldy, int accumulate) {
#if defined(FAST_TARGET)
    if (grulab_fast_available()) {
        product_avx2(rows, outputs, inner, x, ldx, packed, y, ldy, accumulate);
        return;
    }
#endif
    product_scalar(rows, outputs, inner, x, ldx, packed, y, ldy, accumulate);
}
