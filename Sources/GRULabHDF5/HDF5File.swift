import CHDF5

/// An open HDF5 file: the owner of the library handle, closed on `close()` or in `deinit`.
///
/// Objects inside the file (groups, datasets, attributes) are addressed by absolute path, such as
/// `/metrics/train_loss`, so that no other handle outlives the file. The class is not `Sendable`:
/// one file belongs to one task at a time. Calls into the library are serialised process-wide
/// because the serial HDF5 build is not thread-safe.
public final class HDF5File {
    /// How an existing file is opened.
    public enum Mode: Sendable {
        case readOnly
        case readWrite
        /// Read-only, following a file that a SWMR writer is still extending: every dataset is
        /// refreshed before it is read.
        case swmrRead
    }

    /// The path the file was created or opened with.
    public let path: String
    public let mode: Mode
    var id: hid_t
    /// Datasets stay open between appends: re-opening one per logged step would dominate the
    /// cost of writing a small row.
    var openDatasets: [String: hid_t] = [:]
    public private(set) var isSWMRWriting = false
    /// Set once a write ran out of space. HDF5 1.10 then holds metadata it cannot write, and
    /// `H5Fclose` on such a file fails half-way, leaving a handle that crashes the library
    /// later; such a file is abandoned as it is on disk.
    private var ranOutOfSpace = false

    private init(path: String, mode: Mode, id: hid_t) {
        self.path = path
        self.mode = mode
        self.id = id
    }

    /// Creates a new file in the newest file format (required for SWMR).
    ///
    /// - Parameter overwrite: replace an existing file; otherwise an existing file is an error.
    public static func create(_ path: String, overwrite: Bool = false) throws -> HDF5File {
        try HDF5Library.withLibrary {
            let fapl = H5Pcreate(grulab_h5p_file_access())
            defer { H5Pclose(fapl) }
            let latest = grulab_h5f_libver_latest()
            guard fapl >= 0, H5Pset_libver_bounds(fapl, latest, latest) >= 0,
                  H5Pset_fclose_degree(fapl, grulab_h5f_close_strong()) >= 0,
                  H5Pset_file_locking(fapl, false, true) >= 0 else {
                throw openFailure(path)
            }
            let flags = overwrite ? grulab_h5f_acc_trunc() : grulab_h5f_acc_excl()
            let id = H5Fcreate(path, flags, grulab_h5p_default(), fapl)
            guard id >= 0 else { throw openFailure(path) }
            return HDF5File(path: path, mode: .readWrite, id: id)
        }
    }

    /// Opens an existing file.
    public convenience init(opening path: String, mode: Mode = .readOnly) throws {
        let id: hid_t = try HDF5Library.withLibrary {
            let flags: UInt32
            switch mode {
            case .readOnly: flags = grulab_h5f_acc_rdonly()
            case .readWrite: flags = grulab_h5f_acc_rdwr()
            case .swmrRead: flags = grulab_h5f_acc_rdonly() | grulab_h5f_acc_swmr_read()
            }
            // A strong close degree: closing the file closes every object still open in it, so it
            // can be reopened at once (finishing a run does). No HDF5 file locks: they are
            // flock()s on a descriptor that every child process inherits, so a process spawned
            // while a file is open holds its lock; the runner keeps one writer per file itself.
            let fapl = H5Pcreate(grulab_h5p_file_access())
            defer { H5Pclose(fapl) }
            guard fapl >= 0, H5Pset_fclose_degree(fapl, grulab_h5f_close_strong()) >= 0,
                  H5Pset_file_locking(fapl, false, true) >= 0,
                  mode != .swmrRead || H5Pset_metadata_read_attempts(fapl, Self.swmrReadAttempts) >= 0 else {
                throw Self.openFailure(path)
            }
            let id = H5Fopen(path, flags, fapl)
            guard id >= 0 else { throw Self.openFailure(path) }
            return id
        }
        self.init(path: path, mode: mode, id: id)
    }

    /// How often a SWMR reader reads a piece of metadata whose checksum does not match, in case
    /// the writer was half-way through writing it, sleeping twice as long before each attempt.
    /// HDF5's default of 100 attempts sleeps for 2^100 nanoseconds on a corrupted file: a hang.
    /// 25 attempts give up after about 34 ms, far longer than writing one block takes.
    static let swmrReadAttempts: UInt32 = 25

    private static func openFailure(_ path: String) -> HDF5Error {
        .cannotOpen(file: path, reason: HDF5Library.innermostMessage())
    }

    deinit {
        try? close()
    }

    /// Writes every buffered change to disk. After it returns, a process killed at any point
    /// leaves a file that holds at least what was written before this call.
    public func flush() throws {
        try withOpenFile { id in
            guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else {
                throw HDF5Library.failure("flush", file: path, object: "/")
            }
        }
    }

    /// Writes one dataset's buffered rows and its extent to disk now, before anything else the
    /// file holds: a whole-file `flush()` writes its datasets in an order of HDF5's own, so
    /// only this orders one dataset's rows before another's on disk.
    public func flush(_ object: String) throws {
        try withOpenFile { id in
            guard H5Dflush(try dataset(object, in: id)) >= 0 else {
                throw HDF5Library.failure("flush", file: path, object: object)
            }
        }
    }

    /// Switches the file to single-writer/multiple-reader mode, so that readers opening it with
    /// `.swmrRead` see appended rows while this process writes.
    ///
    /// In HDF5 1.10 every group, dataset and attribute must exist before this call, and none can
    /// be added, removed or rewritten afterwards; datasets can still be extended and written.
    public func startSWMRWrite() throws {
        try withOpenFile { id in
            guard H5Fstart_swmr_write(id) >= 0 else {
                throw HDF5Library.failure("start SWMR writing on", file: path, object: "/")
            }
            isSWMRWriting = true
        }
    }

    /// Closes every open dataset and the file. Closing twice is harmless.
    public func close() throws {
        try HDF5Library.withLibrary {
            guard id >= 0 else { return }
            var closed = true
            for datasetID in openDatasets.values where H5Dclose(datasetID) < 0 {
                closed = false
            }
            openDatasets = [:]
            if !ranOutOfSpace, H5Fclose(id) < 0 { closed = false }
            id = -1
            isSWMRWriting = false
            if !closed { throw HDF5Library.failure("close", file: path, object: "/") }
        }
    }

    /// Runs `body` with the library lock held and the file's handle, failing if it is closed.
    func withOpenFile<R>(_ body: (hid_t) throws -> R) throws -> R {
        try HDF5Library.withLibrary {
            guard id >= 0 else {
                throw HDF5Error.failed(operation: "use", file: path, object: "/",
                                       reason: "the file is closed")
            }
            do {
                return try body(id)
            } catch let error as HDF5Error {
                if case .outOfSpace = error { ranOutOfSpace = true }
                throw error
            }
        }
    }

    // MARK: Groups and links

    /// Creates a group, and any missing group above it. An existing group is left as it is.
    public func createGroup(_ group: String) throws {
        try withOpenFile { id in
            if linkExists(group, in: id) { return }
            let lcpl = H5Pcreate(grulab_h5p_link_create())
            defer { H5Pclose(lcpl) }
            H5Pset_create_intermediate_group(lcpl, 1)
            let gid = H5Gcreate2(id, group, lcpl, grulab_h5p_default(), grulab_h5p_default())
            guard gid >= 0 else { throw HDF5Library.failure("create group", file: path, object: group) }
            H5Gclose(gid)
        }
    }

    /// Whether a link (group, dataset or external link) exists at `object`.
    public func exists(_ object: String) -> Bool {
        (try? withOpenFile { linkExists(object, in: $0) }) ?? false
    }

    /// Checks each component of the path: `H5Lexists` fails rather than answering for a path
    /// whose parent is missing.
    func linkExists(_ object: String, in id: hid_t) -> Bool {
        var prefix = ""
        for component in object.split(separator: "/") {
            prefix += "/" + component
            guard H5Lexists(id, prefix, grulab_h5p_default()) > 0 else { return false }
        }
        return true
    }

    /// The names of the links in a group, in name order.
    public func memberNames(of group: String) throws -> [String] {
        try withOpenFile { id in
            guard group == "/" || linkExists(group, in: id) else {
                throw HDF5Error.notFound(file: path, object: group)
            }
            var info = H5G_info_t()
            guard H5Gget_info_by_name(id, group, &info, grulab_h5p_default()) >= 0 else {
                throw HDF5Library.failure("list", file: path, object: group)
            }
            return try (0..<info.nlinks).map { index in
                let length = H5Lget_name_by_idx(id, group, H5_INDEX_NAME, H5_ITER_INC, index,
                                                nil, 0, grulab_h5p_default())
                guard length >= 0 else { throw HDF5Library.failure("list", file: path, object: group) }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                H5Lget_name_by_idx(id, group, H5_INDEX_NAME, H5_ITER_INC, index, &buffer,
                                   buffer.count, grulab_h5p_default())
                return string(from: buffer)
            }
        }
    }

    /// Creates a link at `object` to the root (or `target`) of another file. A relative
    /// `fileName` is resolved against the directory of this file when the link is followed.
    public func createExternalLink(_ object: String, toFile fileName: String,
                                   target: String = "/") throws {
        try withOpenFile { id in
            let lcpl = H5Pcreate(grulab_h5p_link_create())
            defer { H5Pclose(lcpl) }
            H5Pset_create_intermediate_group(lcpl, 1)
            guard H5Lcreate_external(fileName, target, id, object, lcpl, grulab_h5p_default()) >= 0
            else { throw HDF5Library.failure("create external link", file: path, object: object) }
        }
    }

    /// Opens any object (group or dataset) for the duration of `body`.
    func withObject<R>(_ object: String, in id: hid_t, _ body: (hid_t) throws -> R) throws -> R {
        guard object == "/" || linkExists(object, in: id) else {
            throw HDF5Error.notFound(file: path, object: object)
        }
        let oid = H5Oopen(id, object, grulab_h5p_default())
        guard oid >= 0 else { throw HDF5Library.failure("open", file: path, object: object) }
        defer { H5Oclose(oid) }
        return try body(oid)
    }
}

/// A Swift string from a NUL-terminated C buffer, decoded as UTF-8.
func string(from buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension HDF5File {
    /// Removes the link at `object` (a group, dataset or external link). The space of the
    /// object is not reclaimed in the file, as HDF5 never shrinks files.
    public func removeLink(_ object: String) throws {
        try withOpenFile { id in
            guard linkExists(object, in: id) else { throw HDF5Error.notFound(file: path, object: object) }
            guard H5Ldelete(id, object, grulab_h5p_default()) >= 0 else {
                throw HDF5Library.failure("remove", file: path, object: object)
            }
        }
    }
}
