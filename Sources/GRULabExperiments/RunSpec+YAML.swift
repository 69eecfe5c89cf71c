extension RunSpec {
    /// The run as an experiment file: every key with its resolved value, no sweep, the run's
    /// name in `run`. `grulab validate` and `grulab run` accept it and resolve it to this run;
    /// it is what each run's results file stores.
    ///
    /// ```yaml
    /// # run 4 of vanishing-gradients: model.cell=gru, task.seq_len=100
    /// name: vanishing-gradients
    /// run: cell=gru,seq_len=100
    /// seed: 0
    /// task:
    ///   name: adding
    ///   seq_len: 100
    /// model:
    ///   cell: gru
    /// ...
    /// ```
    public var yaml: String {
        let swept = varied.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        let entries = values.flatMap { path, value in
            [(path, Self.yamlScalar(value))] + (path == "name" ? [("run", Self.yamlScalar(.string(name)))] : [])
        }
        return (["# run \(index) of \(experiment)" + (swept.isEmpty ? "" : ": \(swept)")] + Self.blockLines(entries))
            .joined(separator: "\n") + "\n"
    }

    /// Key paths and their values, already YAML, as nested block mappings: a section opens where
    /// a key's sections differ from the previous key's (`model.cell: gru` is `cell: gru` under
    /// `model:`).
    static func blockLines(_ entries: [(path: String, value: String)]) -> [String] {
        var lines: [String] = []
        var open: [Substring] = []  // the sections of the previous key
        for (path, value) in entries {
            var components = path.split(separator: ".")
            let key = components.removeLast()
            let shared = zip(open, components).prefix { $0 == $1 }.count
            for depth in shared..<components.count {
                lines.append(String(repeating: "  ", count: depth) + "\(components[depth]):")
            }
            open = components
            lines.append(String(repeating: "  ", count: components.count) + "\(key): \(value)")
        }
        return lines
    }

    /// A value as YAML that reads back as the same value: strings plain when nothing could
    /// mistake them for another type, else double-quoted.
    static func yamlScalar(_ value: SettingValue) -> String {
        guard case let .string(text) = value else { return value.text }
        let plainSafe = !text.isEmpty
            && text.unicodeScalars.allSatisfy { RunName.isWordCharacter($0) || "/+=,~".unicodeScalars.contains($0) }
            && !"-~.".unicodeScalars.contains(text.unicodeScalars.first!)
            && Double(text) == nil && Int(text) == nil
            && !["true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf"].contains(text.lowercased())
        if plainSafe { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                quoted += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
