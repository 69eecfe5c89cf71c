import GRULabHDF5

extension SequencesTask {
    /// Sequences read from an HDF5 file with datasets `/x`, `/y` and optionally `/lengths`
    /// (docs/tasks.md):
    ///
    /// ```
    /// /x        float32 or float64  [S, T, C]   batch-first, padded after each sequence's length
    /// /y        float               [S], [S, O] or [S, T, O]   (regression)
    ///           int32 or int64      [S] or [S, T]              (classification, classes 0..<K)
    /// /lengths  int32 or int64      [S]         optional, each in 1...T
    /// ```
    ///
    /// - Throws: ``TaskError`` naming the file and the dataset: missing, of the wrong shape or
    ///   type, or holding values out of range.
    public init(path: String, evaluationSize: Int? = nil) throws(TaskError) {
        let file: HDF5File
        do {
            file = try HDF5File(opening: path)
        } catch {
            throw .unreadableFile(file: path, reason: "\(error)")
        }
        defer { try? file.close() }
        func read<T: HDF5Scalar>(_ name: String, as type: T.Type, kind: String) throws(TaskError) -> HDF5Array<T> {
            do {
                return try file.readDataset("/" + name, as: type)
            } catch HDF5Error.notFound {
                throw .missingDataset(file: path, dataset: name)
            } catch let HDF5Error.typeMismatch(_, _, _, found) {
                throw .invalidData(file: path, dataset: name, reason: "holds \(found), expected \(kind)")
            } catch {
                throw .unreadableFile(file: path, reason: "\(error)")
            }
        }
        func isInteger(_ name: String) throws(TaskError) -> Bool {
            do {
                let type = try file.elementType(of: "/" + name)
                return type == .int32 || type == .int64
            } catch HDF5Error.notFound {
                throw .missingDataset(file: path, dataset: name)
            } catch {
                throw .unreadableFile(file: path, reason: "\(error)")
            }
        }
        let x = try read("x", as: Double.self, kind: "floating-point inputs")
        let targets: Targets
        if try isInteger("y") {
            let y = try read("y", as: Int64.self, kind: "integer classes")
            targets = .classes(y.values.map { Int($0) }, shape: y.shape)
        } else {
            let y = try read("y", as: Double.self, kind: "floating-point targets")
            targets = .values(y.values, shape: y.shape)
        }
        var lengths: [Int]? = nil
        if file.exists("/lengths") {
            let l = try read("lengths", as: Int64.self, kind: "integer lengths")
            guard l.shape.count == 1 else {
                throw .datasetShape(file: path, dataset: "lengths", shape: l.shape, expected: "[S]")
            }
            lengths = l.values.map { Int($0) }
        }
        try self.init(x: x.values, shape: x.shape, targets: targets, lengths: lengths,
                      evaluationSize: evaluationSize, source: path)
    }
}
