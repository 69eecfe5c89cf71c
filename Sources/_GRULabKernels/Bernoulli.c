#include "BernoulliKernels.h"
#include "FastTarget.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* One step of lane l: its next word, xoshiro256** (Blackman & Vigna). */
static inline uint64_t next_word(uint64_t state[16], int l) {
    uint64_t *s0 = state + l, *s1 = state + 4 + l, *s2 = state + 8 + l, *s3 = state + 12 + l;
    uint64_t result = rotl(*s1 * 5, 7) * 9, t = *s1 << 17;
    *s2 ^= *s0;
    *s3 ^= *s1;
    *s1 ^= *s2;
    *s0 ^= *s3;
    *s2 ^= t;
    *s3 = rotl(*s3, 45);
    return result;
}

/* The draws of one step of the four lanes, as 8 flags. */
static inline void block_scalar(uint64_t state[16], uint32_t threshold, int certain, int flags[8]) {
    for (int l = 0; l < 4; l++) {
        uint64_t word = next_word(state, l);
        flags[2 * l] = certain || (uint32_t)word < threshold;
        flags[2 * l + 1] = certain || (uint32_t)(word >> 32) < threshold;
    }
}

#define LANES_SCALAR(Scalar)                                                                     \
    size_t i = 0;                                                                                \
    int flags[8];                                                                                \
    for (; i < count; i += 8) {                                                                  \
        block_scalar(state, threshold, certain, flags);                                          \
        for (size_t j = 0; j < 8 && i + j < count; j++) y[i + j] = flags[j] ? value : (Scalar)0; \
    }

#if defined(FAST_TARGET)

static inline FAST_TARGET __m256i rotl_avx2(__m256i x, int k) {
    return _mm256_or_si256(_mm256_slli_epi64(x, k), _mm256_srli_epi64(x, 64 - k));
}

/* The four lanes' words one vector each; x * 5 and x * 9 as shifts and adds (AVX2 has no 64-bit
   multiply), the same bits as the scalar step. Blocks of 8 whole draws only; the caller does the
   rest with the scalar step. */
static FAST_TARGET size_t lanes_avx2(uint64_t state[16], float *y, size_t count, uint32_t threshold, int certain,
                                     float value) {
    __m256i s0 = _mm256_loadu_si256((const __m256i *)state), s1 = _mm256_loadu_si256((const __m256i *)(state + 4));
    __m256i s2 = _mm256_loadu_si256((const __m256i *)(state + 8)), s3 = _mm256_loadu_si256((const __m256i *)(state + 12));
    /* unsigned half < threshold as a signed compare of both sides with the sign bit flipped */
    const __m256i flip = _mm256_set1_epi32((int)0x80000000u);
    const __m256i limit = _mm256_xor_si256(_mm256_set1_epi32((int)threshold), flip);
    const __m256 values = _mm256_set1_ps(value);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256i times5 = _mm256_add_epi64(_mm256_slli_epi64(s1, 2), s1);
        __m256i rotated = rotl_avx2(times5, 7);
        __m256i word = _mm256_add_epi64(_mm256_slli_epi64(rotated, 3), rotated);
        __m256i t = _mm256_slli_epi64(s1, 17);
        s2 = _mm256_xor_si256(s2, s0);
        s3 = _mm256_xor_si256(s3, s1);
        s1 = _mm256_xor_si256(s1, s2);
        s0 = _mm256_xor_si256(s0, s3);
        s2 = _mm256_xor_si256(s2, t);
        s3 = rotl_avx2(s3, 45);
        __m256i below = _mm256_cmpgt_epi32(limit, _mm256_xor_si256(word, flip));
        __m256 drawn = certain ? values : _mm256_and_ps(_mm256_castsi256_ps(below), values);
        _mm256_storeu_ps(y + i, drawn);
    }
    _mm256_storeu_si256((__m256i *)state, s0);
    _mm256_storeu_si256((__m256i *)(state + 4), s1);
    _mm256_storeu_si256((__m256i *)(state + 8), s2);
    _mm256_storeu_si256((__m256i *)(state + 12), s3);
    return i;
}

#endif

void grulab_bernoulli_lanes_f32(uint64_t state[16], float *y, size_t count, uint32_t threshold, int certain,
                                float value) {
#if defined(FAST_TARGET)
    if (grulab_fast_available()) {
        size_t done = lanes_avx2(state, y, count, threshold, certain, value);
        y += done;
        count -= done;
    }
#endif
    LANES_SCALAR(float)
}

void grulab_bernoulli_lanes_f64(uint64_t state[16], double *y, size_t count, uint32_t threshold, int certain,
                                double value) {
    LANES_SCALAR(double)
}
