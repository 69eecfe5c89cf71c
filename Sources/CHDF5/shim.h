#ifndef GRULAB_CHDF5_SHIM_H
#define GRULAB_CHDF5_SHIM_H
#include <hdf5.h>
#include <hdf5_hl.h>
#endif
