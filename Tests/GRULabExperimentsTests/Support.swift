import GRULabExperiments

/// The name messages give the file in these tests.
let file = "experiments/x.yaml"

/// A valid experiment, one key a line: line 1 `name`, 2 `task:`, 3 `name`, 4 `seq_len`,
/// 5 `model:`, 6 `cell`, 7 `hidden_size`. Tests append lines or substitute one.
let minimal = """
    name: x
    task:
      name: adding
      seq_len: 100
    model:
      cell: gru
      hidden_size: 8

    """

/// The messages of loading `yaml` with `overrides`, or `[]` when it is valid.
func messages(_ yaml: String, _ overrides: [String] = [], knownCells: [String]? = nil) -> [String] {
    do {
        if let knownCells {
            _ = try ExperimentSpec(yaml: yaml, file: file, overrides: overrides, knownCells: knownCells)
        } else {
            _ = try ExperimentSpec(yaml: yaml, file: file, overrides: overrides)
        }
        return []
    } catch {
        return error.errors.map(\.description)
    }
}

/// The typed errors of loading `yaml`.
func errors(_ yaml: String, _ overrides: [String] = []) -> [ExperimentError] {
    do {
        _ = try ExperimentSpec(yaml: yaml, file: file, overrides: overrides)
        return []
    } catch {
        return error.errors
    }
}

/// `minimal` with `line` (1-based) replaced by `replacement`, which may hold several lines.
func replacing(line: Int, with replacement: String) -> String {
    var lines = minimal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines[line - 1] = replacement
    return lines.joined(separator: "\n")
}
