/// The series a run file holds, declared before the run starts: SWMR mode (HDF5 1.10) allows
/// no new dataset once readers may follow the file.
///
/// Series live in groups (`metrics`, `eval`, `gradients`, …); the series of one group are
/// logged together, one row per logged step, along the group's own `step` dimension scale.
public struct RunLayout: Sendable, Equatable {
    /// One named dimension after `step`, with coordinates `0..<size` written as a dimension
    /// scale dataset `/<group>/<name>`.
    public struct Dimension: Sendable, Equatable {
        public var name: String
        public var size: Int

        public init(_ name: String, size: Int) {
            self.name = name
            self.size = size
        }
    }

    /// How a series is stored. Values are passed as `Double` either way.
    public enum Precision: Sendable {
        case float32, float64
    }

    /// One dataset of a group, shape `[step] + dimensions`.
    public struct Series: Sendable, Equatable {
        /// The path below the group, e.g. `train_loss` or `param_grad_norm/W_ih`.
        public var name: String
        public var dimensions: [Dimension]
        public var precision: Precision

        public init(_ name: String, dimensions: [Dimension] = [], precision: Precision = .float64) {
            self.name = name
            self.dimensions = dimensions
            self.precision = precision
        }

        public var rowSize: Int { dimensions.reduce(1) { $0 * $1.size } }
    }

    /// A group of series logged together, with its own `step` scale.
    public struct Group: Sendable, Equatable {
        public var name: String
        public var series: [Series]
    }

    /// The groups, in declaration order.
    public private(set) var groups: [Group] = []

    public init() {}

    /// Declares one more series: the one call needed to record a new quantity, e.g.
    /// `layout.add(Series("update_mean", dimensions: [.init("layer", size: 2)]), to: "gates")`.
    public mutating func add(_ series: Series, to group: String) {
        if let index = groups.firstIndex(where: { $0.name == group }) {
            groups[index].series.append(series)
        } else {
            groups.append(Group(name: group, series: [series]))
        }
    }

    /// The layout every GRULab run has: `/metrics`, `/eval` and `/gradients`.
    ///
    /// - Parameters:
    ///   - layers: recurrent layers times directions, the `layer` dimension of `dL_dh_norm`.
    ///   - timeSteps: the sequence length T, the `t` dimension.
    ///   - parameters: parameter names, one `/gradients/param_grad_norm/<name>` each.
    ///   - hasAccuracy: whether the task has an accuracy, logged as `/eval/accuracy`.
    public static func standard(layers: Int, timeSteps: Int, parameters: [String],
                                hasAccuracy: Bool) -> RunLayout {
        var layout = RunLayout()
        for name in ["train_loss", "grad_norm", "learning_rate", "wall_time"] {
            layout.add(Series(name), to: "metrics")
        }
        layout.add(Series("loss"), to: "eval")
        if hasAccuracy { layout.add(Series("accuracy"), to: "eval") }
        layout.add(Series("dL_dh_norm", dimensions: [Dimension("layer", size: layers),
                                                     Dimension("t", size: timeSteps)],
                          precision: .float32), to: "gradients")
        for parameter in parameters {
            layout.add(Series("param_grad_norm/\(parameter)"), to: "gradients")
        }
        return layout
    }
}
