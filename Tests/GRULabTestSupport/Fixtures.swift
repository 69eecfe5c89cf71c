import Foundation

/// The parity fixtures shipped with the tests: PyTorch float64 dumps (see docs/parity-fixtures.md).
public enum Fixtures {
    /// The directory of the shared fixtures (`parity`) or of GRULab's own (`parity-extra`).
    public static func directory(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent(name)
    }

    /// Every `.json` fixture of a directory, sorted by file name.
    public static func all(in name: String) -> [URL] {
        let dir = directory(name)
        let files = (try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

extension Fixtures {
    /// A copy of a shared fixture with `change` applied, written to a new temporary file.
    public static func tampered(_ name: String, as newName: String? = nil,
                                _ change: (inout [String: Any]) -> Void) throws -> URL {
        let data = try Data(contentsOf: directory("parity").appendingPathComponent(name))
        var root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        change(&root)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(newName ?? name)
        try JSONSerialization.data(withJSONObject: root).write(to: url)
        return url
    }
}
