import GRULabTensor

/// A long-sequence learning task: a source of batches generated from a seed, a fixed held-out
/// evaluation set, and the baseline a model must beat.
///
/// Named `SequenceTask` rather than `Task`, which Swift's concurrency library already names.
///
/// Shapes use GRULab's legend: `T` steps, `N` batch, `C` input features. Inputs are time-major
/// `[T, N, C]`. The same generator state gives the same batch on every machine: tasks draw
/// only from the `SeededGenerator` they are handed.
public protocol SequenceTask: Sendable {
    /// The registry name, such as `adding`.
    var name: String { get }
    /// `C`, the features of one input step.
    var inputSize: Int { get }
    /// `T`, the steps of a (padded) input sequence.
    var sequenceLength: Int { get }
    /// What the model predicts.
    var output: OutputKind { get }
    /// Where the loss applies.
    var placement: LossPlacement { get }
    /// The score of a model that has learned nothing useful, stated so reports can show it.
    var baseline: Baseline { get }
    /// For a task whose steps are images: each step's `C` features are a frame
    /// `[channels, height, width]`, flattened row-major, which a convolutional cell reads as
    /// feature maps. `nil` (the default) for vector steps.
    var frame: (channels: Int, height: Int, width: Int)? { get }

    /// A training batch of `size` sequences drawn from `generator`.
    func batch(size: Int, using generator: inout SeededGenerator) -> TaskBatch

    /// The fixed held-out evaluation set. Pass a generator split for evaluation only (for
    /// example `SeededGenerator(seed: s).split("evaluation")`), so that it never shares a
    /// stream with the training batches; the same generator gives the same set.
    func evaluationSet(using generator: SeededGenerator) -> TaskBatch
}

extension SequenceTask {
    public var frame: (channels: Int, height: Int, width: Int)? { nil }
}

/// What a task's targets are.
public enum OutputKind: Sendable, Equatable {
    /// Real-valued targets, `outputs` numbers per predicted step; the loss is the MSE.
    case regression(outputs: Int)
    /// A class in `0..<classes` per predicted step; the loss is the cross-entropy.
    case classification(classes: Int)

    /// The number of model outputs per predicted step: `outputs`, or `classes` logits.
    public var size: Int {
        switch self {
        case let .regression(outputs): outputs
        case let .classification(classes): classes
        }
    }
}

/// The steps a task's loss is computed on.
public enum LossPlacement: String, Sendable, Equatable {
    /// Each sequence's last valid step (`lengths[b] - 1`, or `T - 1`).
    case lastStep = "last-step"
    /// Every step where ``TaskBatch/mask`` is non-zero (every valid step when it is `nil`).
    case everyStep = "every-step"
}

/// The score of a trivial predictor, in the task's own loss.
public struct Baseline: Sendable, Equatable, CustomStringConvertible {
    /// The metric's name, such as `mse` or `cross_entropy`.
    public let metric: String
    /// Its value for the trivial predictor.
    public let value: Double
    /// Which predictor, and why it scores `value`.
    public let description: String

    public init(metric: String, value: Double, description: String) {
        self.metric = metric
        self.value = value
        self.description = description
    }
}

/// A task whose data is generated, with a held-out set of ``evaluationSize`` sequences.
public protocol GeneratedTask: SequenceTask {
    /// The number of sequences in the held-out evaluation set.
    var evaluationSize: Int { get }
}

extension GeneratedTask {
    /// ``evaluationSize`` sequences drawn from a copy of `generator`.
    public func evaluationSet(using generator: SeededGenerator) -> TaskBatch {
        var g = generator
        return batch(size: evaluationSize, using: &g)
    }
}
