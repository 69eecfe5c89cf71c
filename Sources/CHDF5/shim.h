#ifndef GRULAB_CHDF5_SHIM_H
#define GRULAB_CHDF5_SHIM_H
#include <hdf5.h>
#include <hdf5_hl.h>
#include <string.h>

/* HDF5 spells its type ids, property-list classes and flags as macros that expand to
   global variables behind H5open() or to casts; Swift imports none of them. */

static inline hid_t grulab_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t grulab_h5s_all(void) { return H5S_ALL; }
static inline hid_t grulab_h5e_default(void) { return H5E_DEFAULT; }
static inline hsize_t grulab_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline size_t grulab_h5t_variable(void) { return H5T_VARIABLE; }

static inline unsigned grulab_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned grulab_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned grulab_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned grulab_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned grulab_h5f_acc_swmr_read(void) { return H5F_ACC_SWMR_READ; }

static inline hid_t grulab_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t grulab_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t grulab_h5p_link_create(void) { return H5P_LINK_CREATE; }

static inline hid_t grulab_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t grulab_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t grulab_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t grulab_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t grulab_h5t_c_s1(void) { return H5T_C_S1; }

static inline H5F_libver_t grulab_h5f_libver_latest(void) { return H5F_LIBVER_LATEST; }
static inline H5F_close_degree_t grulab_h5f_close_strong(void) { return H5F_CLOSE_STRONG; }

/* A variable-length UTF-8 string type: h5py reads it as `str`, netCDF as a string
   attribute; fixed-length strings would come back as bytes. The caller closes it. */
static inline hid_t grulab_h5t_utf8_string(void) {
    hid_t type = H5Tcopy(H5T_C_S1);
    if (type < 0) return type;
    if (H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
        H5Tclose(type);
        return -1;
    }
    return type;
}

/* The error stack: walking it needs a C callback, so the walk lives here. It copies the
   innermost message (the one naming the cause, e.g. the failed write() and its errno) into
   `buffer` and returns the number of entries on the stack. */
typedef struct {
    char *buffer;
    size_t size;
    int count;
} grulab_error_sink;

static inline herr_t grulab_error_visit(unsigned n, const H5E_error2_t *err, void *data) {
    grulab_error_sink *sink = (grulab_error_sink *)data;
    (void)n;
    sink->count += 1;
    if (err->desc && sink->size > 0) {
        strncpy(sink->buffer, err->desc, sink->size - 1);
        sink->buffer[sink->size - 1] = '\0';
    }
    return 0;
}

static inline int grulab_h5e_innermost(char *buffer, size_t size) {
    grulab_error_sink sink = { buffer, size, 0 };
    if (size > 0) buffer[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, grulab_error_visit, &sink);
    H5Eclear2(H5E_DEFAULT);
    return sink.count;
}

static inline void grulab_h5e_silence(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* The name of the first dimension scale attached to dimension `dim` of `dataset`, or an empty
   string when none is attached. Returns a negative value on error. */
typedef struct {
    char *buffer;
    size_t size;
    ssize_t length;
} grulab_scale_sink;

static inline herr_t grulab_scale_visit(hid_t dataset, unsigned dim, hid_t scale, void *data) {
    grulab_scale_sink *sink = (grulab_scale_sink *)data;
    (void)dataset;
    (void)dim;
    sink->length = H5DSget_scale_name(scale, sink->buffer, sink->size);
    return 1; /* stop after the first scale */
}

static inline ssize_t grulab_h5ds_first_scale_name(hid_t dataset, unsigned dim, char *buffer,
                                                   size_t size) {
    grulab_scale_sink sink = { buffer, size, 0 };
    if (size > 0) buffer[0] = '\0';
    int count = H5DSget_num_scales(dataset, dim);
    if (count < 0) return -1;
    if (count == 0) return 0;
    if (H5DSiterate_scales(dataset, dim, NULL, grulab_scale_visit, &sink) < 0) return -1;
    return sink.length;
}

#endif
