#ifndef GRULAB_CBLAS_SHIM_H
#define GRULAB_CBLAS_SHIM_H
// OpenBLAS' cblas.h declares cblas_sgemm/cblas_dgemm and openblas_set_num_threads.
#include <cblas.h>
#endif
