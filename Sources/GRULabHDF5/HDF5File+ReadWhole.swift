import CHDF5

extension HDF5File {
    /// Reads everything GRULab's readers can read in the file, and keeps none of it: every
    /// attribute of every group (numbers and strings) and every dataset of numbers, whole. Only
    /// hard links are followed: an index's external links lead to run files, checked when opened.
    ///
    /// For finding out whether the HDF5 library can read a file at all (``ResultsFileCheck``):
    /// attributes and datasets of other types are passed over, as every reader passes them over.
    public func readWhole() throws {
        try readWhole(group: "/")
    }

    private func readWhole(group: String) throws {
        for name in try attributeNames(of: group) {
            do {
                _ = try attribute(name, of: group)
            } catch HDF5Error.typeMismatch {}
        }
        for member in try memberNames(of: group) {
            let object = group == "/" ? "/" + member : group + "/" + member
            switch try hardLinkedType(of: object) {
            case H5O_TYPE_GROUP?:
                try readWhole(group: object)
            case H5O_TYPE_DATASET?:
                let type: HDF5ElementType
                do { type = try elementType(of: object) } catch HDF5Error.typeMismatch { continue }
                try readInBlocks(object, floatingPoint: type.isFloatingPoint)
            default:
                continue
            }
        }
    }

    /// Elements read at once: 64 MB as Double, so that checking the largest series of a run
    /// never needs more memory than that.
    static let readBlockElements = 1 << 23

    private func readInBlocks(_ object: String, floatingPoint: Bool) throws {
        func read(_ rows: Range<Int>?) throws {
            _ = floatingPoint ? try readDataset(object, rows: rows, as: Double.self).shape
                : try readDataset(object, rows: rows, as: Int64.self).shape
        }
        let shape = try shape(of: object)
        guard let count = shape.first else { return try read(nil) }
        let rowsPerBlock = max(1, Self.readBlockElements / max(1, shape.dropFirst().reduce(1, *)))
        for start in stride(from: 0, to: count, by: rowsPerBlock) {
            try read(start..<min(start + rowsPerBlock, count))
        }
    }

    /// The type of the object a hard link leads to; `nil` for a soft or external link.
    private func hardLinkedType(of object: String) throws -> H5O_type_t? {
        try withOpenFile { id in
            var link = H5L_info_t()
            guard H5Lget_info(id, object, &link, grulab_h5p_default()) >= 0 else {
                throw HDF5Library.failure("read the link", file: path, object: object)
            }
            guard link.type == H5L_TYPE_HARD else { return nil }
            var info = H5O_info_t()
            guard H5Oget_info_by_name2(id, object, &info, UInt32(H5O_INFO_BASIC), grulab_h5p_default()) >= 0 else {
                throw HDF5Library.failure("open", file: path, object: object)
            }
            return info.type
        }
    }
}
