import GRULabTensor

/// Gates that are convolutions over feature maps, in the layout of PyTorch's `nn.Conv2d` and
/// of the convolutional GRU fixture: for `G` gate blocks of `H_c` channels,
///
/// ```
/// weight_ih  [G·H_c, C_in, k, k]    weight_hh  [G·H_c, H_c, k, k]
/// bias_ih    [G·H_c]                bias_hh    [G·H_c]
/// ```
///
/// each gate's output channels a block of the stacked kernels, every convolution 'same'
/// zero-padded with stride 1 (``Convolution2D``). Frames are flattened channel-major
/// (``FeatureMap``): `C = C_in·Y·X`, `H = H_c·Y·X`; a bias entry adds to every pixel of its
/// channel.
///
/// The PyTorch initialiser draws from `U(-1/√(H_c·k²), 1/√(H_c·k²))`, the scale of
/// `nn.Conv2d`'s recurrent fan-in; Keras' draws glorot and orthogonal kernels on the
/// `[G·H_c, C·k²]` matrices, as `ConvLSTM2D` does.
public struct ConvolutionalGateWeights<Scalar: TensorScalar>: GateWeights {
    public let gates: Int
    public let inputSize: Int
    public let hiddenSize: Int
    public let map: FeatureMap

    /// `C_in`.
    public var inputChannels: Int { inputSize / map.pixels }
    /// `H_c`.
    public var hiddenChannels: Int { hiddenSize / map.pixels }
    public var biasWidth: Int { hiddenChannels }

    /// - Precondition: `options.featureMap` is set and both sizes are whole channels of it
    ///   (``CellRegistry`` checks this before making a cell).
    public init(gates: Int, inputSize: Int, hiddenSize: Int, options: CellOptions) {
        guard let map = options.featureMap else { preconditionFailure("a convolutional cell needs a feature map") }
        precondition(inputSize % map.pixels == 0 && hiddenSize % map.pixels == 0, "sizes are not whole channels")
        self.gates = gates
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.map = map
    }

    private var kernelArea: Int { map.kernelSize * map.kernelSize }
    private var recurrentOffset: Int { gates * hiddenChannels * inputChannels * kernelArea }
    private var biasOffset: Int { recurrentOffset + gates * hiddenChannels * hiddenChannels * kernelArea }

    public func initialParameters(_ initializer: CellInitializer,
                                  using generator: inout SeededGenerator) -> ParameterSet<Scalar> {
        let out = gates * hiddenChannels, k = map.kernelSize
        let flat: ParameterSet<Scalar> = initializer.parameters(
            [("weight_ih", [out, inputChannels * kernelArea], .input),
             ("weight_hh", [out, hiddenChannels * kernelArea], .recurrent),
             ("bias_ih", [out], .bias), ("bias_hh", [out], .bias)],
            hiddenSize: hiddenChannels * kernelArea, using: &generator)
        let shapes = [[out, inputChannels, k, k], [out, hiddenChannels, k, k], [out], [out]]
        return ParameterSet(zip(flat.entries.indices, shapes).map { i, shape in
            (flat.entries[i].name, flat.tensor(at: i).reshaped(shape))
        })
    }

    /// The convolutions read up to `G·H_c` channels (the gradient of an input, from every gate)
    /// and have up to `G·H_c·max(C_in, H_c)·k²` weights; the scratch serves any batch, on as
    /// many threads as BLAS has (``blasThreads()``), the threads a run gives its products.
    public func makeScratch(batch: Int) -> ConvolutionScratch<Scalar> {
        let out = gates * hiddenChannels, channels = max(inputChannels, hiddenChannels)
        return ConvolutionScratch(map: map, channels: max(inputChannels, out), weights: out * channels * kernelArea,
                                  gradientInputs: channels, gradientOutputs: out, threads: blasThreads())
    }

    private func withLayout<R>(
        _ parameters: ParameterSet<Scalar>,
        _ body: (_ wih: Convolution2D<Scalar>, _ whh: Convolution2D<Scalar>,
                 _ bih: UnsafePointer<Scalar>, _ bhh: UnsafePointer<Scalar>) -> R
    ) -> R {
        parameters.withUnsafeBufferPointer { p in
            let base = p.baseAddress!, out = gates * hiddenChannels
            return body(Convolution2D(weight: base, inChannels: inputChannels, outChannels: out, map: map),
                        Convolution2D(weight: base + recurrentOffset, inChannels: hiddenChannels, outChannels: out, map: map),
                        base + biasOffset, base + biasOffset + out)
        }
    }

    public func project(_ parameters: ParameterSet<Scalar>, input: UnsafePointer<Scalar>, rows: Int,
                        into projection: UnsafeMutablePointer<Scalar>, foldRecurrentBias: Bool,
                        scratch: ConvolutionScratch<Scalar>) {
        withLayout(parameters) { wih, _, bih, bhh in
            let out = gates * hiddenChannels
            var bias = Array(UnsafeBufferPointer(start: bih, count: out))
            if foldRecurrentBias { for o in 0..<out { bias[o] += bhh[o] } }
            wih.apply(images: rows, input: input, output: projection, ldy: width, bias: bias, accumulate: false,
                      scratch: scratch)
        }
    }

    public func recurrent(_ parameters: ParameterSet<Scalar>, gates range: Range<Int>, h: UnsafePointer<Scalar>,
                          rows: Int, into y: UnsafeMutablePointer<Scalar>, addingBias: Bool, accumulate: Bool,
                          scratch: ConvolutionScratch<Scalar>) {
        withLayout(parameters) { _, whh, _, bhh in
            let first = range.lowerBound * hiddenChannels
            whh.outputs(first, count: range.count * hiddenChannels)
                .apply(images: rows, input: h, output: y + range.lowerBound * hiddenSize, ldy: width,
                       bias: addingBias ? bhh + first : nil, accumulate: accumulate, scratch: scratch)
        }
    }

    public func recurrentBackward(_ parameters: ParameterSet<Scalar>, gates range: Range<Int>,
                                  dy: UnsafePointer<Scalar>, rows: Int, dh: UnsafeMutablePointer<Scalar>,
                                  accumulate: Bool, scratch: ConvolutionScratch<Scalar>) {
        withLayout(parameters) { _, whh, _, _ in
            whh.outputs(range.lowerBound * hiddenChannels, count: range.count * hiddenChannels)
                .backwardInput(images: rows, outputGradient: dy + range.lowerBound * hiddenSize, ldy: width,
                               inputGradient: dh, accumulate: accumulate, scratch: scratch)
        }
    }

    public func finishBackward(
        _ parameters: ParameterSet<Scalar>, rows: Int, input: UnsafePointer<Scalar>,
        recurrentOperands: [(gates: Range<Int>, operand: UnsafePointer<Scalar>)],
        inputProjectionGradient dxp: UnsafePointer<Scalar>, recurrentProjectionGradient dhp: UnsafePointer<Scalar>,
        inputGradient: UnsafeMutablePointer<Scalar>, parameterGradients: inout ParameterSet<Scalar>,
        scratch: ConvolutionScratch<Scalar>
    ) {
        withLayout(parameters) { wih, whh, _, _ in
            wih.backwardInput(images: rows, outputGradient: dxp, ldy: width, inputGradient: inputGradient,
                              accumulate: false, scratch: scratch)
            // `bias_hh`'s gradient comes with each range's weight gradient
            precondition(recurrentOperands.map(\.gates.count).reduce(0, +) == gates, "a gate without a recurrent product")
            parameterGradients.withUnsafeMutableBufferPointer { grads in
                let base = grads.baseAddress!, out = gates * hiddenChannels
                wih.accumulateGradients(images: rows, input: input, outputGradient: dxp, ldy: width,
                                        weightGradient: base, biasGradient: base + biasOffset, scratch: scratch)
                for (range, operand) in recurrentOperands {
                    let first = range.lowerBound * hiddenChannels
                    let block = whh.outputs(first, count: range.count * hiddenChannels)
                    block.accumulateGradients(images: rows, input: operand,
                                              outputGradient: dhp + range.lowerBound * hiddenSize, ldy: width,
                                              weightGradient: base + recurrentOffset + first * block.patch,
                                              biasGradient: base + biasOffset + out + first, scratch: scratch)
                }
            }
        }
    }
}
