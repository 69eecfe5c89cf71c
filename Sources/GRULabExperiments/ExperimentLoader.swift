import Foundation
import Yams

/// Validates an experiment file and its overrides and resolves its runs, collecting every
/// error rather than stopping at the first: a researcher fixes a file in one go.
///
/// Three passes: the file's tree (unknown keys, types, ranges, the sweep), the overrides in
/// command-line order, then each point of the grid (required keys, task parameters,
/// defaults, run names). A value that failed its type check is left out of the later passes,
/// so one mistake gives one message.
struct ExperimentLoader {
    /// A value given for a key: where it came from, and the value if it passed its check.
    struct Entry {
        var origin: Origin
        var value: SettingValue?
    }

    /// One swept key and its values, in the order written.
    struct Axis {
        var path: String
        var entries: [Entry]
    }

    /// The most runs one experiment may have.
    static let maximumRuns = 100_000

    let file: String
    let knownCells: [String]
    private(set) var errors: [ExperimentError] = []
    private(set) var base: [String: Entry] = [:]
    private(set) var axes: [Axis] = []
    /// The file is not YAML, or not a mapping: nothing else about it is worth saying.
    private(set) var unparsable = false
    /// Key paths an unknown key was taken for (`model.hidden_size` for `model.hiden_size`):
    /// their absence is the same mistake, not a second one.
    private var suggested: Set<String> = []
    /// A top-level `seed: [...]`, made an axis once the sweep is read.
    private var seedList: (Setting, [Node], Origin)?

    init(file: String, knownCells: [String]) {
        self.file = file
        self.knownCells = knownCells
    }

    // MARK: The file

    /// Reads the document's top-level mapping.
    mutating func read(yaml: String) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            errors.append(syntaxError(error, origin: { .line(file: file, line: $0) }))
            unparsable = true
            return
        }
        guard let root else { return }  // an empty file: the required keys will say what is missing
        guard case let .mapping(mapping) = root else {
            errors.append(.conflict(.line(file: file, line: root.mark?.line ?? 1), key: "experiment",
                                    problem: "expected a mapping of sections (name, seed, task, model, train, log, sweep), found \(describe(root))"))
            unparsable = true
            return
        }
        walk(mapping, section: "")
        if let (setting, seeds, origin) = seedList { addAxis(setting, seeds, key: "seed", origin: origin) }
    }

    private mutating func walk(_ mapping: Node.Mapping, section: String) {
        for (keyNode, valueNode) in mapping {
            let origin = Origin.line(file: file, line: keyNode.mark?.line ?? 1)
            let key = keyNode.string ?? describe(keyNode)
            let path = section.isEmpty ? key : "\(section).\(key)"
            if section.isEmpty && key == "sweep" {
                walkSweep(valueNode, section: "", origin: origin)
            } else if Setting.sections.contains(path) {
                if case let .mapping(inner) = valueNode {
                    walk(inner, section: path)
                } else if !isNull(valueNode) {
                    errors.append(.invalidValue(origin, key: path, expected: "a mapping of \(path) keys",
                                                found: describe(valueNode), suggestion: nil))
                }
            } else if let setting = Setting.byPath[path] {
                if path == "seed", case let .sequence(seeds) = valueNode {
                    // A list of seeds is a sweep axis, after the sweep's wherever it is written.
                    seedList = (setting, Array(seeds), origin)
                } else {
                    base[path] = entry(setting, valueNode, key: path, origin: origin)
                }
            } else {
                errors.append(unknownKey(path, displayedAs: path, origin: origin))
            }
        }
    }

    private mutating func walkSweep(_ node: Node, section: String, origin: Origin) {
        guard case let .mapping(mapping) = node else {
            if !isNull(node) {
                errors.append(.invalidValue(origin, key: "sweep", expected: "a mapping of key paths to lists",
                                            found: describe(node), suggestion: nil))
            }
            return
        }
        for (keyNode, valueNode) in mapping {
            let origin = Origin.line(file: file, line: keyNode.mark?.line ?? 1)
            let key = keyNode.string ?? describe(keyNode)
            let path = section.isEmpty ? key : "\(section).\(key)"
            if Setting.sections.contains(path), case .mapping = valueNode {
                walkSweep(valueNode, section: path, origin: origin)
                continue
            }
            guard let setting = sweepable(path, origin: origin) else { continue }
            guard case let .sequence(values) = valueNode, !values.isEmpty else {
                errors.append(.invalidValue(origin, key: "sweep.\(path)", expected: "a non-empty list of values",
                                            found: describe(valueNode), suggestion: nil))
                continue
            }
            addAxis(setting, Array(values), key: "sweep.\(path)", origin: origin)
        }
    }

    /// The setting at `path` if a sweep may vary it, else the error.
    private mutating func sweepable(_ path: String, origin: Origin) -> Setting? {
        guard let setting = Setting.byPath[path] else {
            errors.append(unknownKey(path, displayedAs: "sweep.\(path)", origin: origin))
            return nil
        }
        guard setting.sweepable else {
            errors.append(.conflict(origin, key: "sweep.\(path)", problem: "cannot be swept"))
            return nil
        }
        return setting
    }

    /// Adds (or, from an override, replaces) the axis of `setting`; values are checked one by
    /// one, each at its own line, and must be distinct so that runs differ.
    private mutating func addAxis(_ setting: Setting, _ nodes: [Node], key: String, origin: Origin, replacing: Bool = false) {
        var entries: [Entry] = []
        var seen = Set<SettingValue>()
        for node in nodes {
            // In the file each value has its own line; an override is its own origin.
            let line: Origin = if case .line = origin, let mark = node.mark { .line(file: file, line: mark.line) } else { origin }
            let entry = entry(setting, node, key: key, origin: line)
            if let value = entry.value, !seen.insert(value).inserted {
                errors.append(.conflict(line, key: key, problem: "duplicate value '\(value.text)'"))
                continue
            }
            entries.append(entry)
        }
        if let i = axes.firstIndex(where: { $0.path == setting.path }) {
            if replacing {
                axes[i].entries = entries
            } else {
                errors.append(.conflict(origin, key: key, problem: "swept twice; keep one"))
            }
        } else {
            axes.append(Axis(path: setting.path, entries: entries))
        }
    }

    private mutating func entry(_ setting: Setting, _ node: Node, key: String, origin: Origin) -> Entry {
        switch setting.kind.parse(node, key: key, origin: origin, knownCells: knownCells) {
        case let .success(value): return Entry(origin: origin, value: value)
        case let .failure(error):
            errors.append(error)
            return Entry(origin: origin, value: nil)
        }
    }

    // MARK: Overrides

    /// Applies one `key=value` override. The value is a YAML scalar or flow list; a key the
    /// sweep varies becomes an axis of that one value; `sweep.KEY=[...]` sets an axis.
    mutating func apply(override text: String) {
        let origin = Origin.override(text)
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            errors.append(.malformedOverride(text))
            return
        }
        let path = String(text[..<equals])
        let node: Node
        do {
            node = try Yams.compose(yaml: String(text[text.index(after: equals)...])) ?? Node("")
        } catch {
            errors.append(syntaxError(error, origin: { _ in origin }))
            return
        }
        if path.hasPrefix("sweep.") {
            let key = String(path.dropFirst("sweep.".count))
            guard let setting = sweepable(key, origin: origin) else { return }
            let values = if case let .sequence(list) = node { Array(list) } else { [node] }
            guard !values.isEmpty else {
                errors.append(.invalidValue(origin, key: path, expected: "a non-empty list of values", found: "an empty list",
                                            suggestion: nil))
                return
            }
            addAxis(setting, values, key: path, origin: origin, replacing: true)
        } else if path == "sweep" || Setting.sections.contains(path) {
            let example = path == "sweep" ? "sweep.model.cell=[gru,lstm]" : "\(Setting.catalog.first { $0.path.hasPrefix(path + ".") }!.path)=..."
            errors.append(.conflict(origin, key: path, problem: "is a section; override one key at a time, e.g. \(example)"))
        } else if let setting = Setting.byPath[path] {
            if path == "seed", case let .sequence(seeds) = node {
                addAxis(setting, Array(seeds), key: path, origin: origin, replacing: true)
                return
            }
            let entry = entry(setting, node, key: path, origin: origin)
            base[path] = entry
            if let i = axes.firstIndex(where: { $0.path == path }) { axes[i].entries = [entry] }
        } else {
            errors.append(unknownKey(path, displayedAs: path, origin: origin))
        }
    }

    // MARK: Runs

    /// The runs of the grid, first axis slowest, or nil when there were errors (then in
    /// ``errors``).
    mutating func resolve() -> [RunSpec]? {
        if unparsable { return nil }
        // A grid too large to list is a mistake (an axis meant as a range?), not a plan.
        let count = axes.reduce(1.0) { $0 * Double($1.entries.count) }
        guard count <= Double(Self.maximumRuns) else {
            errors.append(.conflict(.file(file), key: "sweep",
                                    problem: "the grid has \(String(format: "%.0f", count)) runs; at most \(Self.maximumRuns)"))
            return nil
        }
        let points = grid()
        let named = RunName.names(for: points.map { point in
            point.map { (path: axes[$0.axis].path, value: $0.entry.value?.text ?? "") }
        })
        var runs: [RunSpec] = []
        for (index, point) in points.enumerated() {
            var given = base
            for (axis, entry) in point { given[axes[axis].path] = entry }
            let values = resolveValues(given)
            var name = named[index]
            if let run = base["run"] {
                if !axes.isEmpty {
                    errors.append(.conflict(run.origin, key: "run", problem: "names the only run of an experiment without a sweep; remove it or the sweep"))
                } else if let value = run.value?.string {
                    name = value
                }
            }
            guard errors.isEmpty else { continue }
            // Refused here, before the run allocates what it cannot hold.
            let flat = Dictionary(uniqueKeysWithValues: values.map { ($0.path, $0.value) })
            let estimate = MemoryEstimate(flat)
            if estimate.total > MemoryEstimate.available {
                let key = MemoryEstimate.blame(flat)
                errors.append(.conflict(given[key]?.origin ?? .file(file), key: key,
                                        problem: estimate.problem(run: axes.isEmpty ? nil : name)))
                continue
            }
            let varied = point.map { RunSpec.VariedValue(key: axes[$0.axis].path, value: $0.entry.value!.text) }
            runs.append(RunSpec(index: index, name: name, varied: varied, values: values))
        }
        var seen = Set<ExperimentError>()
        errors = errors.filter { seen.insert($0).inserted }
        return errors.isEmpty ? runs : nil
    }

    /// The cartesian product of the axes: for each run, each axis' index and entry.
    private func grid() -> [[(axis: Int, entry: Entry)]] {
        var points: [[(axis: Int, entry: Entry)]] = [[]]
        for (a, axis) in axes.enumerated() {
            points = points.flatMap { point in axis.entries.map { point + [(a, $0)] } }
        }
        return points
    }

    /// Every setting of one run in catalog order: given, default or derived; errors for
    /// missing required keys and for parameters of another task.
    private mutating func resolveValues(_ given: [String: Entry]) -> [(path: String, value: SettingValue)] {
        let task = given["task.name"]?.value?.string
        var resolved: [(path: String, value: SettingValue)] = []
        var byPath: [String: SettingValue] = [:]
        for setting in Setting.catalog where setting.path != "run" {
            if setting.tasks != nil && task == nil { continue }  // the task's own error says enough
            let value: SettingValue?
            if let entry = given[setting.path] {
                guard setting.applies(to: task) else {
                    errors.append(.notApplicable(entry.origin, key: setting.path, task: task!, appliesTo: setting.tasks!))
                    continue
                }
                value = entry.value
            } else {
                guard setting.applies(to: task) else { continue }
                switch setting.default {
                case .required:
                    if !suggested.contains(setting.path) {
                        errors.append(.missing(.file(file), key: setting.path, expected: setting.kind.expected))
                    }
                    value = nil
                case let .value(v): value = v
                case let .derived(make): value = make(byPath)
                }
            }
            if let value {
                resolved.append((setting.path, value))
                byPath[setting.path] = value
            }
        }
        return resolved
    }

    // MARK: Helpers

    /// The error for a key path the schema lacks, suggesting among the keys at the level
    /// where the path first goes wrong.
    private mutating func unknownKey(_ path: String, displayedAs displayed: String, origin: Origin) -> ExperimentError {
        var section = ""
        for component in path.split(separator: ".").map(String.init) {
            let children = Setting.children(of: section)
            guard children.contains(component) else {
                let nearest = suggestion(for: component, among: children)
                if let nearest { suggested.insert(section.isEmpty ? nearest : "\(section).\(nearest)") }
                return .unknownKey(origin, key: displayed, suggestion: nearest, known: children)
            }
            section = section.isEmpty ? component : "\(section).\(component)"
        }
        // Every component exists, so the path names a section where a value was expected.
        return .unknownKey(origin, key: displayed, suggestion: nil, known: Setting.children(of: section))
    }

    private func syntaxError(_ error: any Error, origin: (Int) -> Origin) -> ExperimentError {
        guard let error = error as? YamlError else { return .syntax(origin(1), problem: "\(error)") }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let what = context.map { "\($0.text) " } ?? ""
            return .syntax(origin(mark.line), problem: what + problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            return .syntax(origin(context.mark.line), problem: "duplicate key '\(duplicates.joined(separator: "', '"))'")
        case let .reader(problem, _, _, _):
            return .syntax(origin(1), problem: problem)
        default:
            return .syntax(origin(1), problem: "\(error)")
        }
    }

    private func isNull(_ node: Node) -> Bool {
        describe(node) == "null"
    }
}
