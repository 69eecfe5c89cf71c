#ifndef GRULAB_FAST_TARGET_H
#define GRULAB_FAST_TARGET_H

/* The kernels' second instruction set: functions marked FAST_TARGET are compiled for AVX2 and
   FMA and called only where grulab_fast_available() says the processor has them. */
#if defined(__x86_64__)
#define FAST_TARGET __attribute__((target("avx2,fma")))

/* Whether the processor has AVX2 and FMA; asked once (racing first calls store the same answer). */
int grulab_fast_available(void);
#endif

#endif
