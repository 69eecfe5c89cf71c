#include "ActivationKernels.h"
#include "FastTarget.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Cephes' expf coefficients, and ln 2 split in two so that x - n ln 2 keeps its low bits. */
#define EXP_LOWER (-87.3f)
#define EXP_UPPER 88.7f
#define LOG2E 1.44269504f
#define LN2_HIGH 0.693359375f
#define LN2_LOW (-2.12194440e-4f)
#define P0 1.9875691500e-4f
#define P1 1.3981999507e-3f
#define P2 8.3334519073e-3f
#define P3 4.1665795894e-2f
#define P4 1.6666665459e-1f
#define P5 5.0000001201e-1f

static inline float exp_scalar(float v) {
    float x = v < EXP_LOWER ? EXP_LOWER : (v > EXP_UPPER ? EXP_UPPER : v);  /* NaN stays NaN */
    /* Adding 1.5 * 2^23 rounds to an integer, which lands in the low mantissa bits. */
    float shifted = x * LOG2E + 12582912.0f;
    float n = shifted - 12582912.0f;
    x = x - n * LN2_HIGH - n * LN2_LOW;
    float z = x * x;
    float y = P0;
    y = y * x + P1;
    y = y * x + P2;
    y = y * x + P3;
    y = y * x + P4;
    y = y * x + P5;
    y = y * z + x + 1.0f;
    uint32_t bits;
    memcpy(&bits, &shifted, sizeof bits);
    bits = (bits - 0x4B400000u + 127u) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return y * scale;
}

static inline float sigmoid_scalar(float x) { return 1.0f / (1.0f + exp_scalar(-x)); }

static inline float tanh_scalar(float x) {
    float e = exp_scalar(-2.0f * (x < 0 ? -x : x));
    float t = (1.0f - e) / (1.0f + e);
    return x < 0 ? -t : t;
}

#if defined(FAST_TARGET)

static FAST_TARGET inline __m256 exp_avx2(__m256 v) {
    /* max and min return their second operand when either is NaN: v last, so NaN goes through. */
    __m256 x = _mm256_min_ps(_mm256_set1_ps(EXP_UPPER), _mm256_max_ps(_mm256_set1_ps(EXP_LOWER), v));
    __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    x = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_HIGH), x);
    x = _mm256_fnmadd_ps(n, _mm256_set1_ps(LN2_LOW), x);
    __m256 z = _mm256_mul_ps(x, x);
    __m256 y = _mm256_set1_ps(P0);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(P1));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(P2));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(P3));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(P4));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(P5));
    y = _mm256_fmadd_ps(y, z, _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
    __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(exponent));
}

static FAST_TARGET inline __m256 sigmoid_avx2(__m256 x) {
    __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

static FAST_TARGET inline __m256 tanh_avx2(__m256 x) {
    __m256 sign = _mm256_and_ps(x, _mm256_set1_ps(-0.0f));
    __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    __m256 e = exp_avx2(_mm256_mul_ps(magnitude, _mm256_set1_ps(-2.0f)));
    __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_or_ps(sign, _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e)));
}

/* f over count floats in place, eight at a time, the last count % 8 through a masked load and
   store with the same arithmetic as the full vectors. Always inlined, so each caller gets a copy
   with its f inlined rather than called through the pointer. */
static FAST_TARGET inline __attribute__((always_inline)) void map_avx2(float *values, size_t count,
                                                                        __m256 (*f)(__m256)) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(values + i, f(_mm256_loadu_ps(values + i)));
    if (i < count) {
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count - i)),
                                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_maskstore_ps(values + i, mask, f(_mm256_maskload_ps(values + i, mask)));
    }
}

static FAST_TARGET void sigmoid_f32_avx2(float *values, size_t count) { map_avx2(values, count, sigmoid_avx2); }
static FAST_TARGET void tanh_f32_avx2(float *values, size_t count) { map_avx2(values, count, tanh_avx2); }

#endif

void grulab_sigmoid_f32(float *values, size_t count) {
#if defined(FAST_TARGET)
    if (grulab_fast_available()) {
        sigmoid_f32_avx2(values, count);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) values[i] = sigmoid_scalar(values[i]);
}

void grulab_tanh_f32(float *values, size_t count) {
#if defined(FAST_TARGET)
    if (grulab_fast_available()) {
        tanh_f32_avx2(values, count);
        return;
    }
#endif
    for (size_t i = 0; i < count; i++) values[i] = tanh_scalar(values[i]);
}
