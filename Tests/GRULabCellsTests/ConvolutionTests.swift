@testable import GRULabCells
import GRULabTensor
import Testing

/// `Convolution2D`'s kernels against the definition summed term by term in Double: maps wider
/// than a tile and with a partial last vector (19 columns: 16 + 3 floats, 8 + 8 + 3 doubles),
/// kernels 1, 3 and 5, output channels not a multiple of a tile's, weight gradients over several
/// chunks of frames, outputs inside wider rows (a gate block), on one thread and split across
/// two and three.
@Suite struct ConvolutionTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        let inChannels: Int, outChannels: Int, height: Int, width: Int, kernel: Int, frames: Int
        var testDescription: String {
            "\(frames) x [\(inChannels), \(height), \(width)] -> \(outChannels), k = \(kernel)"
        }
    }

    static let shapes = [
        Shape(inChannels: 3, outChannels: 7, height: 6, width: 19, kernel: 3, frames: 5),
        Shape(inChannels: 16, outChannels: 32, height: 16, width: 16, kernel: 3, frames: 9),
        Shape(inChannels: 2, outChannels: 5, height: 7, width: 9, kernel: 5, frames: 4),
        Shape(inChannels: 4, outChannels: 3, height: 3, width: 3, kernel: 1, frames: 3),
    ]

    @Test(arguments: shapes, [1, 2, 3])
    func floatKernelsMatchTheDefinition(shape: Shape, threads: Int) {
        check(Float.self, shape, threads: threads, tolerance: 1e-5)
    }

    @Test(arguments: shapes, [1, 2, 3])
    func doubleKernelsMatchTheDefinition(shape: Shape, threads: Int) {
        check(Double.self, shape, threads: threads, tolerance: 1e-12)
    }

    /// Runs the forward pass (with a bias, onto existing outputs), the input gradient and the
    /// parameter gradients (onto existing ones) and compares each with `Reference`.
    func check<Scalar: TensorScalar>(_: Scalar.Type, _ s: Shape, threads: Int, tolerance: Double) {
        var g = SeededGenerator(seed: 21)
        func random(_ count: Int) -> [Scalar] { (0..<count).map { _ in g.uniform(-1, 1) } }
        let map = FeatureMap(height: s.height, width: s.width, kernelSize: s.kernel)
        let pixels = map.pixels, patch = s.inChannels * s.kernel * s.kernel
        // outputs are the channels 1 ..< 1 + C_out of rows of C_out + 2 channels
        let ldy = (s.outChannels + 2) * pixels, offset = pixels
        let weight: [Scalar] = random(s.outChannels * patch), bias: [Scalar] = random(s.outChannels)
        let input: [Scalar] = random(s.frames * s.inChannels * pixels)
        let rows: [Scalar] = random(s.frames * ldy), gradientRows: [Scalar] = random(s.frames * ldy)
        let initialWeightGradient: [Scalar] = random(weight.count), initialBiasGradient: [Scalar] = random(bias.count)
        let reference = Reference(shape: s, weight: weight.map(Double.init), input: input.map(Double.init))
        let scratch = ConvolutionScratch<Scalar>(map: map, channels: max(s.inChannels, s.outChannels),
                                                 weights: weight.count, gradientInputs: s.inChannels,
                                                 gradientOutputs: s.outChannels, threads: threads)

        var output = rows, inputGradient = [Scalar](repeating: 0, count: input.count)
        var weightGradient = initialWeightGradient, biasGradient = initialBiasGradient
        weight.withUnsafeBufferPointer { w in
            let convolution = Convolution2D(weight: w.baseAddress!, inChannels: s.inChannels,
                                            outChannels: s.outChannels, map: map)
            convolution.apply(images: s.frames, input: input, output: &output[offset], ldy: ldy, bias: bias,
                              accumulate: true, scratch: scratch)
            gradientRows.withUnsafeBufferPointer { dy in
                convolution.backwardInput(images: s.frames, outputGradient: dy.baseAddress! + offset, ldy: ldy,
                                          inputGradient: &inputGradient, accumulate: false, scratch: scratch)
                convolution.accumulateGradients(images: s.frames, input: input, outputGradient: dy.baseAddress! + offset,
                                                ldy: ldy, weightGradient: &weightGradient,
                                                biasGradient: &biasGradient, scratch: scratch)
            }
        }

        var expectedOutput = rows.map(Double.init)
        let dy = gradientRows.map(Double.init)
        for i in 0..<s.frames {
            for o in 0..<s.outChannels {
                for p in 0..<pixels {
                    expectedOutput[i * ldy + offset + o * pixels + p] += Double(bias[o]) + reference.output(i, o, p)
                }
            }
        }
        let gradients = reference.gradients(dy, ldy: ldy, offset: offset)
        expectClose(output, expectedOutput, tolerance, "output")
        expectClose(inputGradient, gradients.input, tolerance, "input gradient")
        expectClose(weightGradient, zip(initialWeightGradient, gradients.weight).map { Double($0) + $1 }, tolerance,
                    "weight gradient")
        expectClose(biasGradient, zip(initialBiasGradient, gradients.bias).map { Double($0) + $1 }, tolerance,
                    "bias gradient")
    }
}

/// The convolution and its gradients term by term, from the definition (zero outside the frame).
private struct Reference {
    let shape: ConvolutionTests.Shape
    let weight: [Double], input: [Double]

    /// Calls `body(c, u, v, input pixel)` for every term of output pixel `p`, in the frame.
    private func forEachTerm(_ p: Int, _ body: (Int, Int, Int, Int) -> Void) {
        let (k, h, w) = (shape.kernel, shape.height, shape.width)
        let (y, x) = p.quotientAndRemainder(dividingBy: w)
        for c in 0..<shape.inChannels {
            for u in 0..<k {
                for v in 0..<k {
                    let (sy, sx) = (y + u - k / 2, x + v - k / 2)
                    if (0..<h).contains(sy), (0..<w).contains(sx) { body(c, u, v, sy * w + sx) }
                }
            }
        }
    }

    private func w(_ o: Int, _ c: Int, _ u: Int, _ v: Int) -> Int {
        ((o * shape.inChannels + c) * shape.kernel + u) * shape.kernel + v
    }

    func output(_ i: Int, _ o: Int, _ p: Int) -> Double {
        let pixels = shape.height * shape.width
        var sum = 0.0
        forEachTerm(p) { c, u, v, q in sum += weight[w(o, c, u, v)] * input[(i * shape.inChannels + c) * pixels + q] }
        return sum
    }

    /// The gradients of the input, weight and bias from `dy`, whose frame `i` channel `o` is at
    /// `i·ldy + offset + o·Y·X`.
    func gradients(_ dy: [Double], ldy: Int, offset: Int) -> (input: [Double], weight: [Double], bias: [Double]) {
        let pixels = shape.height * shape.width
        var dx = [Double](repeating: 0, count: input.count), dw = [Double](repeating: 0, count: weight.count)
        var db = [Double](repeating: 0, count: shape.outChannels)
        for i in 0..<shape.frames {
            for o in 0..<shape.outChannels {
                for p in 0..<pixels {
                    let d = dy[i * ldy + offset + o * pixels + p]
                    db[o] += d
                    forEachTerm(p) { c, u, v, q in
                        let x = (i * shape.inChannels + c) * pixels + q
                        dx[x] += weight[w(o, c, u, v)] * d
                        dw[w(o, c, u, v)] += input[x] * d
                    }
                }
            }
        }
        return (dx, dw, db)
    }
}
