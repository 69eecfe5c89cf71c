/// The task of a run and its parameters. Data is generated from the run's seed, so the
/// same seed gives the same data (the tasks module does the generating).
public enum TaskSpec: Sendable, Hashable {
    /// The adding problem: two input rows (values in U[0,1], markers one in each half),
    /// target the sum of the two marked values; `seqLen` steps.
    case adding(seqLen: Int)
    /// Arjovsky's copy memory: `copyLength` symbols from an alphabet of `symbols`, `seqLen`
    /// blanks (the delay T), a delimiter; `seqLen + 2 * copyLength` steps in all.
    case copy(seqLen: Int, symbols: Int, copyLength: Int)
    /// Selective copy (Mamba, minGRU): `tokens` tokens from `vocab` scattered among noise in
    /// `seqLen` steps, to be reproduced in order at the end.
    case selectiveCopy(seqLen: Int, tokens: Int, vocab: Int)
    /// The user's own data from an HDF5 file: datasets `x`, `y` and optional `lengths`;
    /// `evalFraction` of the sequences are held out for evaluation.
    case sequences(path: String, x: String, y: String, lengths: String?, evalFraction: Double)
    /// Spatial recall: where a square lit in the first of `seqLen` frames of `size × size`
    /// pixels, past a wandering distractor; frames for convolutional cells.
    case spatialRecall(seqLen: Int, size: Int)

    /// The task names of `task.name`.
    public static let names = ["adding", "copy", "selective-copy", "sequences", "spatial-recall"]

    /// The name in `task.name`.
    public var name: String {
        switch self {
        case .adding: "adding"
        case .copy: "copy"
        case .selectiveCopy: "selective-copy"
        case .sequences: "sequences"
        case .spatialRecall: "spatial-recall"
        }
    }

    /// `model.head` when the file does not set it: a regression on the last step for the
    /// adding problem (and user sequences, the commoner case), one output per step for the
    /// copy tasks, whose answer is a sequence.
    static func defaultHead(forTask name: String) -> String {
        name == "copy" || name == "selective-copy" ? "every" : "last"
    }
}
