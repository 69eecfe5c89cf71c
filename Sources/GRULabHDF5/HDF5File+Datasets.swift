import CHDF5

extension HDF5File {
    /// Creates an empty dataset that grows along its first dimension, one or more rows per
    /// `append`: shape `[0] + rowShape`, chunked, gzip-compressed.
    ///
    /// - Parameters:
    ///   - rowShape: the fixed trailing dimensions; `[]` for a 1-D series.
    ///   - chunkRows: rows per chunk. By default about 64 KiB of elements, since a chunk is the
    ///     unit HDF5 compresses, caches and rewrites at each flush.
    ///   - compressionLevel: gzip level 1...9, or `nil` for none.
    public func createExtendibleDataset<T: HDF5Scalar>(
        _ object: String, of type: T.Type, rowShape: [Int] = [], chunkRows: Int? = nil,
        compressionLevel: Int? = 4
    ) throws {
        let rowSize = rowShape.reduce(1, *)
        guard rowShape.allSatisfy({ $0 > 0 }) else {
            throw HDF5Error.invalidArgument(file: path, object: object,
                                            reason: "row shape \(rowShape) has an empty dimension")
        }
        let rows = chunkRows ?? max(1, min(1024, 16384 / rowSize))
        var dims = [hsize_t(0)] + rowShape.map { hsize_t($0) }
        var maxDims = [grulab_h5s_unlimited()] + rowShape.map { hsize_t($0) }
        var chunk = [hsize_t(rows)] + rowShape.map { hsize_t($0) }
        try withOpenFile { id in
            let dcpl = H5Pcreate(grulab_h5p_dataset_create())
            defer { H5Pclose(dcpl) }
            guard H5Pset_chunk(dcpl, Int32(chunk.count), &chunk) >= 0,
                compressionLevel.map({ H5Pset_deflate(dcpl, UInt32($0)) >= 0 }) ?? true
            else { throw HDF5Library.failure("create dataset", file: path, object: object) }
            let space = H5Screate_simple(Int32(dims.count), &dims, &maxDims)
            defer { H5Sclose(space) }
            try createDataset(object, type: T.elementType, space: space, dcpl: dcpl, in: id)
        }
    }

    /// Creates a fixed-size dataset holding `values` in row-major order, e.g. the coordinates
    /// of a dimension such as `layer` or `t`.
    public func writeDataset<T: HDF5Scalar>(_ object: String, values: [T], shape: [Int]) throws {
        guard shape.reduce(1, *) == values.count else {
            throw HDF5Error.invalidArgument(
                file: path, object: object,
                reason: "\(values.count) values do not fill shape \(shape)")
        }
        var dims = shape.map { hsize_t($0) }
        try withOpenFile { id in
            let space = H5Screate_simple(Int32(dims.count), &dims, nil)
            defer { H5Sclose(space) }
            try createDataset(object, type: T.elementType, space: space,
                              dcpl: grulab_h5p_default(), in: id)
            let did = try dataset(object, in: id)
            let written = values.withUnsafeBytes {
                H5Dwrite(did, T.elementType.nativeType, grulab_h5s_all(), grulab_h5s_all(),
                         grulab_h5p_default(), $0.baseAddress)
            }
            guard written >= 0 else { throw HDF5Library.failure("write", file: path, object: object) }
        }
    }

    /// Appends whole rows to an extendible dataset. `values` holds one or more rows in
    /// row-major order, so its count must be a multiple of the row size.
    public func append<T: HDF5Scalar>(_ values: [T], to object: String) throws {
        try withOpenFile { id in
            let did = try dataset(object, in: id)
            try checkType(of: did, object: object, is: T.elementType)
            var dims = try extent(of: did, object: object)
            let rowSize = dims.dropFirst().reduce(1) { $0 * Int($1) }
            guard !values.isEmpty, values.count % rowSize == 0 else {
                throw HDF5Error.invalidArgument(
                    file: path, object: object,
                    reason: "\(values.count) values are not whole rows of \(rowSize)")
            }
            var start = [hsize_t](repeating: 0, count: dims.count)
            start[0] = dims[0]
            var count = dims
            count[0] = hsize_t(values.count / rowSize)
            dims[0] += count[0]
            guard H5Dset_extent(did, &dims) >= 0 else {
                throw HDF5Library.failure("extend", file: path, object: object)
            }
            let fileSpace = H5Dget_space(did)
            defer { H5Sclose(fileSpace) }
            let memSpace = H5Screate_simple(Int32(count.count), &count, nil)
            defer { H5Sclose(memSpace) }
            guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &count, nil) >= 0
            else { throw HDF5Library.failure("select rows of", file: path, object: object) }
            let written = values.withUnsafeBytes {
                H5Dwrite(did, T.elementType.nativeType, memSpace, fileSpace, grulab_h5p_default(),
                         $0.baseAddress)
            }
            guard written >= 0 else { throw HDF5Library.failure("write", file: path, object: object) }
        }
    }

    /// Reads a whole dataset, or the rows `rows` of its first dimension, converting between
    /// precisions of the same kind (a Float dataset reads as Double), but not between integers
    /// and floating-point numbers.
    public func readDataset<T: HDF5Scalar>(_ object: String, rows: Range<Int>? = nil,
                                           as type: T.Type) throws -> HDF5Array<T> {
        try withOpenFile { id in
            let did = try dataset(object, in: id)
            if mode == .swmrRead, H5Drefresh(did) < 0 {
                throw HDF5Library.failure("refresh", file: path, object: object)
            }
            let stored = try storedType(of: did, object: object)
            guard stored.isFloatingPoint == T.elementType.isFloatingPoint else {
                throw HDF5Error.typeMismatch(file: path, object: object,
                                             expected: T.elementType.rawValue,
                                             found: stored.rawValue)
            }
            var dims = try extent(of: did, object: object)
            var start = [hsize_t](repeating: 0, count: dims.count)
            if let rows {
                guard !dims.isEmpty, rows.lowerBound >= 0, rows.upperBound <= Int(dims[0]) else {
                    throw HDF5Error.invalidArgument(file: path, object: object,
                                                    reason: "rows \(rows) of \(dims.first ?? 0)")
                }
                start[0] = hsize_t(rows.lowerBound)
                dims[0] = hsize_t(rows.count)
            }
            let shape = dims.map { Int($0) }
            let count = shape.reduce(1, *)
            let values = try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 {
                    var fileSpace = grulab_h5s_all(), memSpace = grulab_h5s_all()
                    defer {
                        if rows != nil {
                            H5Sclose(fileSpace)
                            H5Sclose(memSpace)
                        }
                    }
                    if rows != nil {
                        fileSpace = H5Dget_space(did)
                        memSpace = H5Screate_simple(Int32(dims.count), &dims, nil)
                        guard fileSpace >= 0, memSpace >= 0,
                              H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &dims, nil) >= 0 else {
                            throw HDF5Library.failure("select rows of", file: path, object: object)
                        }
                    }
                    guard H5Dread(did, T.elementType.nativeType, memSpace, fileSpace, grulab_h5p_default(),
                                  buffer.baseAddress) >= 0 else {
                        throw HDF5Library.failure("read", file: path, object: object)
                    }
                }
                initialized = count
            }
            return HDF5Array(shape: shape, values: values)
        }
    }

    /// The current shape of a dataset.
    public func shape(of object: String) throws -> [Int] {
        try withOpenFile { id in
            let did = try dataset(object, in: id)
            if mode == .swmrRead, H5Drefresh(did) < 0 {
                throw HDF5Library.failure("refresh", file: path, object: object)
            }
            return try extent(of: did, object: object).map { Int($0) }
        }
    }

    /// The element type a dataset stores.
    public func elementType(of object: String) throws -> HDF5ElementType {
        try withOpenFile { id in try storedType(of: dataset(object, in: id), object: object) }
    }

    // MARK: Internals, called with the library lock held

    private func createDataset(_ object: String, type: HDF5ElementType, space: hid_t, dcpl: hid_t,
                               in id: hid_t) throws {
        guard space >= 0, dcpl >= 0 else {
            throw HDF5Library.failure("create dataset", file: path, object: object)
        }
        let lcpl = H5Pcreate(grulab_h5p_link_create())
        defer { H5Pclose(lcpl) }
        H5Pset_create_intermediate_group(lcpl, 1)
        let did = H5Dcreate2(id, object, type.nativeType, space, lcpl, dcpl, grulab_h5p_default())
        guard did >= 0 else { throw HDF5Library.failure("create dataset", file: path, object: object) }
        openDatasets[object] = did
    }

    /// The open handle of a dataset, opened on first use and kept until `close()`.
    func dataset(_ object: String, in id: hid_t) throws -> hid_t {
        if let did = openDatasets[object] { return did }
        guard linkExists(object, in: id) else { throw HDF5Error.notFound(file: path, object: object) }
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(id, object, &info, UInt32(H5O_INFO_BASIC), grulab_h5p_default()) >= 0
        else { throw HDF5Library.failure("open", file: path, object: object) }
        guard info.type == H5O_TYPE_DATASET else {
            throw HDF5Error.typeMismatch(file: path, object: object, expected: "a dataset",
                                         found: info.type == H5O_TYPE_GROUP ? "a group" : "another object")
        }
        let did = H5Dopen2(id, object, grulab_h5p_default())
        guard did >= 0 else { throw HDF5Library.failure("open dataset", file: path, object: object) }
        openDatasets[object] = did
        return did
    }

    private func extent(of did: hid_t, object: String) throws -> [hsize_t] {
        let space = H5Dget_space(did)
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard space >= 0, rank >= 0 else { throw HDF5Library.failure("read shape of", file: path, object: object) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims
    }

    private func storedType(of did: hid_t, object: String) throws -> HDF5ElementType {
        let type = H5Dget_type(did)
        defer { H5Tclose(type) }
        let size = H5Tget_size(type)
        switch (H5Tget_class(type), size) {
        case (H5T_FLOAT, 4): return .float32
        case (H5T_FLOAT, 8): return .float64
        case (H5T_INTEGER, 4): return .int32
        case (H5T_INTEGER, 8): return .int64
        default:
            throw HDF5Error.typeMismatch(file: path, object: object,
                                         expected: "float32, float64, int32 or int64",
                                         found: "another HDF5 type of \(size) bytes")
        }
    }

    private func checkType(of did: hid_t, object: String, is expected: HDF5ElementType) throws {
        let stored = try storedType(of: did, object: object)
        guard stored == expected else {
            throw HDF5Error.typeMismatch(file: path, object: object, expected: expected.rawValue,
                                         found: stored.rawValue)
        }
    }
}
