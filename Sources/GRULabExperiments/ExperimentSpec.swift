import Foundation
import GRULabCells

/// An experiment file, validated, with its overrides applied and its sweep expanded.
///
/// ```swift
/// let experiment = try ExperimentSpec(contentsOf: "experiments/vanishing-gradients.yaml",
///                                     overrides: ["train.steps=200", "model.cell=mingru"])
/// for run in experiment.runs {
///     // run.name, run.task, run.model, run.train, run.log; run.yaml for the results file
/// }
/// ```
///
/// Every problem is found before anything runs and thrown together as ``ExperimentErrors``.
public struct ExperimentSpec: Sendable {
    /// One sweep axis: the key path and its values as written back to YAML.
    public struct Axis: Sendable, Hashable {
        public var key: String
        public var values: [String]

        public init(key: String, values: [String]) {
            self.key = key
            self.values = values
        }
    }

    /// The experiment's name (`name`), the directory its results go in.
    public let name: String
    /// The axes of the grid, in order: the file's sweep as written, then axes added by
    /// overrides. The first axis varies slowest.
    public let axes: [Axis]
    /// The runs, the cartesian product of ``axes``.
    public let runs: [RunSpec]

    /// Parses and validates `yaml`.
    /// - Parameters:
    ///   - file: The name messages give the file, as the user wrote it.
    ///   - overrides: `key=value` strings, applied in order after the file.
    ///   - knownCells: The cell names `model.cell` may take; a package with its own cells
    ///     passes its registry's names.
    public init(yaml: String, file: String, overrides: [String] = [],
                knownCells: [String] = CellRegistry.builtIn.names) throws(ExperimentErrors) {
        var loader = ExperimentLoader(file: file, knownCells: knownCells)
        loader.read(yaml: yaml)
        if loader.unparsable { throw ExperimentErrors(loader.errors) }
        for override in overrides { loader.apply(override: override) }
        guard let runs = loader.resolve() else { throw ExperimentErrors(loader.errors) }
        self.name = runs[0].experiment
        self.axes = loader.axes.map { Axis(key: $0.path, values: $0.entries.map { $0.value!.text }) }
        self.runs = runs
    }

    /// Reads, parses and validates the file at `path`.
    public init(contentsOf path: String, overrides: [String] = [],
                knownCells: [String] = CellRegistry.builtIn.names) throws(ExperimentErrors) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ExperimentErrors([.unreadable(file: path, reason: Self.reason(path))])
        }
        try self.init(data: data, file: path, overrides: overrides, knownCells: knownCells)
    }

    /// Parses and validates the bytes of an experiment file, which must be UTF-8 text.
    /// - Parameter file: The name messages give the file.
    public init(data: Data, file: String, overrides: [String] = [],
                knownCells: [String] = CellRegistry.builtIn.names) throws(ExperimentErrors) {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ExperimentErrors([.unreadable(file: file, reason: Self.firstInvalidByte(in: data))])
        }
        try self.init(yaml: text, file: file, overrides: overrides, knownCells: knownCells)
    }

    /// Why a file cannot be read, in a few words.
    private static func reason(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return "an error reading it"
    }

    /// Where UTF-8 decoding of `data` first fails, as an editor shows it: `not UTF-8 text:
    /// byte 0xFF at line 3, column 7` (the column counts characters from 1).
    static func firstInvalidByte(in data: Data) -> String {
        var iterator = data.makeIterator()
        var decoder = UTF8()
        var offset = 0, line = 1, column = 1
        while case let .scalarValue(scalar) = decoder.decode(&iterator) {
            offset += UTF8.width(scalar)
            if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        let byte = offset < data.count ? data[data.startIndex + offset] : 0
        return "not UTF-8 text: byte 0x\(String(byte, radix: 16, uppercase: true)) at line \(line), column \(column)"
    }
}
