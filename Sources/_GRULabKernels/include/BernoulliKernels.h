#ifndef GRULAB_BERNOULLI_KERNELS_H
#define GRULAB_BERNOULLI_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Bernoulli masks from four xoshiro256** lanes (`LaneGenerator`). `state` holds the lanes'
/// words word by word, `state[4 w + l]` word `w` of lane `l`, and is advanced. Each step of
/// the four lanes gives 8 draws, element `8 k + 2 l + i` from half `i` (low, high) of lane `l`'s
/// `k`-th word: `value` where that half is below `threshold`, else 0 (`certain`: always
/// `value`). A last partial block of 8 discards the draws it does not use. With AVX2 the four
/// lanes run in one vector register each word; otherwise one after the other, the same bits.
void grulab_bernoulli_lanes_f32(uint64_t state[16], float *y, size_t count, uint32_t threshold, int certain,
                                float value);
void grulab_bernoulli_lanes_f64(uint64_t state[16], double *y, size_t count, uint32_t threshold, int certain,
                                double value);

#endif
