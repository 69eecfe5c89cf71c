import GRULabHDF5

/// Every series of a run file, by `group/name`, and each group's steps as `group/step`: what a
/// resumed or contended run must share with a run never interrupted to be the same run. Wall
/// time differs between any two runs and is left out, as are the dimension scales.
func allSeries(_ path: String) throws -> [String: [Double]] {
    let reader = try RunReader(path: path)
    var all: [String: [Double]] = [:]
    for group in try reader.file.memberNames(of: "/") {
        all["\(group)/step"] = try reader.steps(in: group).map(Double.init)
        for name in try reader.file.memberNames(of: "/\(group)") where !["step", "layer", "t", "wall_time"].contains(name) {
            // A group of series, such as param_grad_norm/<parameter>, or one series.
            let children = (try? reader.file.memberNames(of: "/\(group)/\(name)")).map { $0.map { "\(name)/\($0)" } } ?? [name]
            for child in children { all["\(group)/\(child)"] = try reader.series(child, in: group).values }
        }
    }
    return all
}

/// Whether two runs' series are bit for bit the same (NaN where both are NaN).
func sameSeries(_ a: [String: [Double]], _ b: [String: [Double]]) -> Bool {
    a.keys.sorted() == b.keys.sorted() && a.keys.allSatisfy { key in
        a[key]!.count == b[key]!.count && zip(a[key]!, b[key]!).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }
}
