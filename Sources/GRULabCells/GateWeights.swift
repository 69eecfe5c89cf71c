import GRULabTensor

/// How a gated cell's `G` gate blocks read the input and the state: the parameters, and the
/// products with them that a forward and a backward pass need.
///
/// A cell's elementwise equations are the same whether its gates are affine maps of vectors
/// (``PackedGateWeights``, ``SeparateGateWeights``) or convolutions over feature maps
/// (``ConvolutionalGateWeights``): what differs is only how `W x` and `W h` are computed. A
/// cell generic over its weights, such as ``GRU`` or ``LSTM``, is therefore both a vector
/// cell and a convolutional one.
///
/// Every product works on rows of a packed pre-activation buffer `[rows, G·H]`, gate after
/// gate (`H` features each): a range of gates addresses columns `g·H ..< (g + n)·H` of each
/// row. `C` and `H` are flat sizes (a convolutional cell's `[channels, Y, X]` frames
/// flattened).
public protocol GateWeights<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar
    /// Memory the products need beside their operands, allocated once per pass.
    associatedtype Scratch

    /// The weights of `gates` gate blocks for a cell of input size `C` and hidden size `H`,
    /// reading the layout options (``CellOptions/featureMap``) it needs.
    init(gates: Int, inputSize: Int, hiddenSize: Int, options: CellOptions)

    /// `G`.
    var gates: Int { get }
    /// `C`.
    var inputSize: Int { get }
    /// `H`.
    var hiddenSize: Int { get }
    /// The entries of one gate's block of a bias vector: `H` for vector cells, the channel
    /// count for convolutional ones.
    var biasWidth: Int { get }

    /// New parameters, each drawn by `initializer` for its role.
    func initialParameters(_ initializer: CellInitializer, using generator: inout SeededGenerator) -> ParameterSet<Scalar>

    /// Scratch for products over up to `batch` rows at a time.
    func makeScratch(batch: Int) -> Scratch

    /// `projection[rows, G·H] = input products of every gate + input biases` (`+` recurrent
    /// biases too when `foldRecurrentBias`), for all `rows` rows of `input` `[rows, C]`.
    func project(_ parameters: ParameterSet<Scalar>, input: UnsafePointer<Scalar>, rows: Int,
                 into projection: UnsafeMutablePointer<Scalar>, foldRecurrentBias: Bool, scratch: Scratch)

    /// For the gates `gates`: `y[:, gates] = h products (+ recurrent biases when addingBias)`,
    /// or `+=` when `accumulate`. `y` is the first row of a `[rows, G·H]` buffer; `h` is
    /// `[rows, H]`.
    func recurrent(_ parameters: ParameterSet<Scalar>, gates: Range<Int>, h: UnsafePointer<Scalar>, rows: Int,
                   into y: UnsafeMutablePointer<Scalar>, addingBias: Bool, accumulate: Bool, scratch: Scratch)

    /// The gradient of ``recurrent(_:gates:h:rows:into:addingBias:accumulate:scratch:)`` with
    /// respect to `h`: `dh (+)= gradient of y[:, gates]` taken back through the products.
    func recurrentBackward(_ parameters: ParameterSet<Scalar>, gates: Range<Int>, dy: UnsafePointer<Scalar>,
                           rows: Int, dh: UnsafeMutablePointer<Scalar>, accumulate: Bool, scratch: Scratch)

    /// After the backward loop: overwrites `inputGradient` (`[rows, C]`) with `dL/dx` and adds
    /// every parameter's gradient, from the gradients of the input pre-activations `dXP` and
    /// of the recurrent ones `dHP` (`[rows, G·H]` each; the same buffer when the two are
    /// equal), with `recurrentOperands` the `[rows, H]` states each range of gates read.
    func finishBackward(_ parameters: ParameterSet<Scalar>, rows: Int, input: UnsafePointer<Scalar>,
                        recurrentOperands: [(gates: Range<Int>, operand: UnsafePointer<Scalar>)],
                        inputProjectionGradient dxp: UnsafePointer<Scalar>,
                        recurrentProjectionGradient dhp: UnsafePointer<Scalar>,
                        inputGradient: UnsafeMutablePointer<Scalar>, parameterGradients: inout ParameterSet<Scalar>,
                        scratch: Scratch)
}

extension GateWeights {
    /// `G·H`: the width of a packed pre-activation row.
    public var width: Int { gates * hiddenSize }

    /// The features of one channel: `Y·X` for convolutional weights, else 1.
    public var channelSize: Int { hiddenSize / biasWidth }

    /// ``recurrent(_:gates:h:rows:into:addingBias:accumulate:scratch:)`` over every gate.
    func recurrent(_ parameters: ParameterSet<Scalar>, h: UnsafePointer<Scalar>, rows: Int,
                   into y: UnsafeMutablePointer<Scalar>, addingBias: Bool, accumulate: Bool, scratch: Scratch) {
        recurrent(parameters, gates: 0..<gates, h: h, rows: rows, into: y, addingBias: addingBias,
                  accumulate: accumulate, scratch: scratch)
    }

    /// ``recurrentBackward(_:gates:dy:rows:dh:accumulate:scratch:)`` over every gate.
    func recurrentBackward(_ parameters: ParameterSet<Scalar>, dy: UnsafePointer<Scalar>, rows: Int,
                           dh: UnsafeMutablePointer<Scalar>, accumulate: Bool, scratch: Scratch) {
        recurrentBackward(parameters, gates: 0..<gates, dy: dy, rows: rows, dh: dh, accumulate: accumulate,
                          scratch: scratch)
    }

    /// ``finishBackward(_:rows:input:recurrentOperands:inputProjectionGradient:recurrentProjectionGradient:inputGradient:parameterGradients:scratch:)``
    /// when every gate read the same states `hPrev`.
    func finishBackward(_ parameters: ParameterSet<Scalar>, rows: Int, input: UnsafePointer<Scalar>,
                        hPrev: UnsafePointer<Scalar>, inputProjectionGradient dxp: UnsafePointer<Scalar>,
                        recurrentProjectionGradient dhp: UnsafePointer<Scalar>,
                        inputGradient: UnsafeMutablePointer<Scalar>, parameterGradients: inout ParameterSet<Scalar>,
                        scratch: Scratch) {
        finishBackward(parameters, rows: rows, input: input, recurrentOperands: [(0..<gates, hPrev)],
                       inputProjectionGradient: dxp, recurrentProjectionGradient: dhp, inputGradient: inputGradient,
                       parameterGradients: &parameterGradients, scratch: scratch)
    }
}
