import CHDF5

/// Dimension scales (HDF5 high-level H5DS) name the dimensions of datasets. xarray (through
/// h5netcdf) and netCDF read a dimension's name from the scale attached to it, and its
/// coordinate values from the scale's data.
extension HDF5File {
    /// Marks a 1-D dataset as the dimension scale called `name`.
    public func makeDimensionScale(_ object: String, name: String) throws {
        try withOpenFile { id in
            let did = try dataset(object, in: id)
            guard H5DSset_scale(did, name) >= 0 else {
                throw HDF5Library.failure("make dimension scale", file: path, object: object)
            }
        }
    }

    /// Attaches the scale at `scale` to dimension `dimension` (0-based) of `dataset`.
    public func attachDimensionScale(_ scale: String, to dataset: String, dimension: Int) throws {
        try withOpenFile { id in
            let did = try self.dataset(dataset, in: id)
            let sid = try self.dataset(scale, in: id)
            guard H5DSattach_scale(did, sid, UInt32(dimension)) >= 0 else {
                throw HDF5Library.failure("attach dimension scale \(scale) to", file: path,
                                          object: dataset)
            }
        }
    }

    /// The name of the first scale attached to dimension `dimension` of `dataset`, or `nil`
    /// when none is attached.
    public func dimensionScaleName(of dataset: String, dimension: Int) throws -> String? {
        try withOpenFile { id in
            let did = try self.dataset(dataset, in: id)
            var buffer = [CChar](repeating: 0, count: 256)
            let length = grulab_h5ds_first_scale_name(did, UInt32(dimension), &buffer, buffer.count)
            guard length >= 0 else {
                throw HDF5Library.failure("read dimension scales of", file: path, object: dataset)
            }
            return length == 0 ? nil : string(from: buffer)
        }
    }
}
