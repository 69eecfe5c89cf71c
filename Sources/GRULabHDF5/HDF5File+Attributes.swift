import CHDF5

extension HDF5File {
    /// Writes an attribute on a group or dataset, replacing one of the same name.
    ///
    /// Not possible while the file is in SWMR-write mode (an HDF5 1.10 restriction).
    public func setAttribute(_ name: String, _ value: AttributeValue, on object: String = "/") throws {
        try withOpenFile { id in
            try withObject(object, in: id) { oid in
                let label = attributeLabel(name, of: object)
                if H5Aexists(oid, name) > 0, H5Adelete(oid, name) < 0 {
                    throw HDF5Library.failure("replace attribute", file: path, object: label)
                }
                let written: Bool
                switch value {
                case .int(let number):
                    written = writeAttribute(oid, name, .int64, count: nil, [Int64(number)])
                case .double(let number):
                    written = writeAttribute(oid, name, .float64, count: nil, [number])
                case .ints(let numbers):
                    written = writeAttribute(oid, name, .int64, count: numbers.count,
                                             numbers.map(Int64.init))
                case .doubles(let numbers):
                    written = writeAttribute(oid, name, .float64, count: numbers.count, numbers)
                case .string(let text):
                    written = writeStringAttribute(oid, name, text)
                }
                guard written else {
                    throw HDF5Library.failure("write attribute", file: path, object: label)
                }
            }
        }
    }

    /// Reads an attribute of a group or dataset.
    public func attribute(_ name: String, of object: String = "/") throws -> AttributeValue {
        try withOpenFile { id in
            try withObject(object, in: id) { oid in
                let label = attributeLabel(name, of: object)
                let exists = H5Aexists(oid, name)
                // Negative: the library could not tell (a corrupted file), which is not "absent".
                guard exists >= 0 else { throw HDF5Library.failure("read attribute", file: path, object: label) }
                guard exists > 0 else { throw HDF5Error.notFound(file: path, object: label) }
                let aid = H5Aopen(oid, name, grulab_h5p_default())
                guard aid >= 0 else { throw HDF5Library.failure("open attribute", file: path, object: label) }
                defer { H5Aclose(aid) }
                return try readAttribute(aid, label: label)
            }
        }
    }

    /// The names of the attributes of a group or dataset, in name order.
    public func attributeNames(of object: String = "/") throws -> [String] {
        try withOpenFile { id in
            try withObject(object, in: id) { oid in
                var info = H5O_info_t()
                guard H5Oget_info2(oid, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else {
                    throw HDF5Library.failure("list attributes of", file: path, object: object)
                }
                return (0..<info.num_attrs).map { index in
                    let length = H5Aget_name_by_idx(oid, ".", H5_INDEX_NAME, H5_ITER_INC, index,
                                                    nil, 0, grulab_h5p_default())
                    var buffer = [CChar](repeating: 0, count: max(Int(length), 0) + 1)
                    H5Aget_name_by_idx(oid, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer,
                                       buffer.count, grulab_h5p_default())
                    return string(from: buffer)
                }.sorted()
            }
        }
    }

    private func attributeLabel(_ name: String, of object: String) -> String {
        object == "/" ? "/@\(name)" : "\(object)@\(name)"
    }

    /// `count == nil` writes a scalar; otherwise a 1-D array of `count` elements.
    private func writeAttribute<T>(_ oid: hid_t, _ name: String, _ type: HDF5ElementType,
                                   count: Int?, _ values: [T]) -> Bool {
        let space: hid_t
        if let count {
            var dims = [hsize_t(count)]
            space = H5Screate_simple(1, &dims, nil)
        } else {
            space = H5Screate(H5S_SCALAR)
        }
        guard space >= 0 else { return false }
        defer { H5Sclose(space) }
        let aid = H5Acreate2(oid, name, type.nativeType, space, grulab_h5p_default(),
                             grulab_h5p_default())
        guard aid >= 0 else { return false }
        defer { H5Aclose(aid) }
        return values.withUnsafeBytes { H5Awrite(aid, type.nativeType, $0.baseAddress) >= 0 }
    }

    private func writeStringAttribute(_ oid: hid_t, _ name: String, _ text: String) -> Bool {
        let type = grulab_h5t_utf8_string()
        guard type >= 0 else { return false }
        defer { H5Tclose(type) }
        let space = H5Screate(H5S_SCALAR)
        guard space >= 0 else { return false }
        defer { H5Sclose(space) }
        let aid = H5Acreate2(oid, name, type, space, grulab_h5p_default(), grulab_h5p_default())
        guard aid >= 0 else { return false }
        defer { H5Aclose(aid) }
        return text.withCString { characters in
            var pointer: UnsafePointer<CChar>? = characters
            return H5Awrite(aid, type, &pointer) >= 0
        }
    }

    private func readAttribute(_ aid: hid_t, label: String) throws -> AttributeValue {
        let type = H5Aget_type(aid)
        let space = H5Aget_space(aid)
        defer {
            H5Tclose(type)
            H5Sclose(space)
        }
        guard type >= 0, space >= 0 else {
            throw HDF5Library.failure("read attribute", file: path, object: label)
        }
        let isScalar = H5Sget_simple_extent_type(space) == H5S_SCALAR
        let count = max(Int(H5Sget_simple_extent_npoints(space)), 0)
        switch H5Tget_class(type) {
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: count)
            guard H5Aread(aid, grulab_h5t_native_int64(), &values) >= 0 else {
                throw HDF5Library.failure("read attribute", file: path, object: label)
            }
            return isScalar ? .int(Int(values[0])) : .ints(values.map { Int($0) })
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: count)
            guard H5Aread(aid, grulab_h5t_native_double(), &values) >= 0 else {
                throw HDF5Library.failure("read attribute", file: path, object: label)
            }
            return isScalar ? .double(values[0]) : .doubles(values)
        case H5T_STRING where isScalar:
            return .string(try readStringAttribute(aid, type: type, label: label))
        default:
            throw HDF5Error.typeMismatch(file: path, object: label,
                                         expected: "a number, a string or a number array",
                                         found: "another HDF5 type")
        }
    }

    /// Reads both variable-length strings (what GRULab and h5py write) and fixed-length ones
    /// (what some other tools write), trimming the padding of the latter.
    private func readStringAttribute(_ aid: hid_t, type: hid_t, label: String) throws -> String {
        if H5Tis_variable_str(type) > 0 {
            let memType = grulab_h5t_utf8_string()
            defer { H5Tclose(memType) }
            var pointer: UnsafeMutablePointer<CChar>?
            guard H5Aread(aid, memType, &pointer) >= 0 else {
                throw HDF5Library.failure("read attribute", file: path, object: label)
            }
            defer { H5free_memory(pointer) }
            return pointer.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(type)
        var buffer = [CChar](repeating: 0, count: size + 1)
        guard H5Aread(aid, type, &buffer) >= 0 else {
            throw HDF5Library.failure("read attribute", file: path, object: label)
        }
        var text = string(from: buffer)
        while text.last == " " { text.removeLast() }
        return text
    }
}
