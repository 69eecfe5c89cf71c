import GRULabTensor

/// A 2-D convolution with 'same' zero padding and stride 1, as BLAS products over im2col
/// columns: the forward pass, the gradient of its input and of its weight.
///
/// ```
/// y[i, o, y, x] = Σ_{c, u, v} W[o, c, u, v] · in[i, c, y + u - k/2, x + v - k/2]   (0 outside)
/// ```
///
/// `in` is `images` frames `[C_in, Y, X]` one after another. Outputs and their gradients are
/// rows of a packed buffer: frame `i`'s `[C_out, Y, X]` starts at `y + i·ldy`, so that a cell
/// writes one gate block of its `[N, G·H]` pre-activations. The im2col columns of a chunk of
/// frames are built once; the products then run frame by frame on column blocks of them,
/// reading and writing each frame's rows in place (a product over all the chunk's columns would
/// need its output gathered or scattered, a tenth of a convolutional step). Work is done in
/// chunks of as many frames as the scratch holds, so a pass over `T·N` frames needs no more
/// memory than a step.
struct Convolution2D<Scalar: TensorScalar> {
    /// `[C_out, C_in, k, k]`: a `[C_out, C_in·k·k]` matrix.
    var weight: UnsafePointer<Scalar>
    var inChannels: Int
    var outChannels: Int
    var map: FeatureMap

    /// `C_in·k·k`: the length of one patch, a row of the weight matrix.
    var patch: Int { inChannels * map.kernelSize * map.kernelSize }

    /// The convolution onto output channels `first ..< first + count`: rows of the weight.
    func outputs(_ first: Int, count: Int) -> Convolution2D {
        Convolution2D(weight: weight + first * patch, inChannels: inChannels, outChannels: count, map: map)
    }

    /// Calls `body(first, count)` for consecutive chunks of at most `scratch.frames` frames.
    private func chunks(_ images: Int, _ scratch: ConvolutionScratch<Scalar>, _ body: (Int, Int) -> Void) {
        var first = 0
        while first < images {
            let count = min(scratch.frames, images - first)
            body(first, count)
            first += count
        }
    }

    /// `y (+)= W ⊛ in`.
    func apply(images: Int, input: UnsafePointer<Scalar>, output y: UnsafeMutablePointer<Scalar>, ldy: Int,
               accumulate: Bool, scratch: ConvolutionScratch<Scalar>) {
        let pixels = map.pixels
        chunks(images, scratch) { first, count in
            let n = count * pixels, columns = scratch.columns.pointer
            im2col(input + first * inChannels * pixels, images: count, into: columns)
            for i in 0..<count {
                Scalar.gemm(transposeA: false, transposeB: false, m: outChannels, n: pixels, k: patch,
                            alpha: 1, a: weight, lda: patch, b: columns + i * pixels, ldb: n,
                            beta: accumulate ? 1 : 0, c: y + (first + i) * ldy, ldc: pixels)
            }
        }
    }

    /// `dIn (+)= Wᵀ ⊛ dy`, the gradient of the input frames.
    func backwardInput(images: Int, outputGradient dy: UnsafePointer<Scalar>, ldy: Int,
                       inputGradient dx: UnsafeMutablePointer<Scalar>, accumulate: Bool,
                       scratch: ConvolutionScratch<Scalar>) {
        let pixels = map.pixels, frame = inChannels * pixels
        if !accumulate { dx.update(repeating: 0, count: images * frame) }
        chunks(images, scratch) { first, count in
            let n = count * pixels, columns = scratch.columns.pointer
            for i in 0..<count {
                Scalar.gemm(transposeA: true, transposeB: false, m: patch, n: pixels, k: outChannels,
                            alpha: 1, a: weight, lda: patch, b: dy + (first + i) * ldy, ldb: pixels,
                            beta: 0, c: columns + i * pixels, ldc: n)
            }
            col2im(columns, images: count, adding: dx + first * frame)
        }
    }

    /// `dW += dy · columns(in)ᵀ`, into `weightGradient` `[C_out, C_in, k, k]`.
    func accumulateWeightGradient(images: Int, input: UnsafePointer<Scalar>, outputGradient dy: UnsafePointer<Scalar>,
                                  ldy: Int, weightGradient: UnsafeMutablePointer<Scalar>,
                                  scratch: ConvolutionScratch<Scalar>) {
        let pixels = map.pixels
        chunks(images, scratch) { first, count in
            let n = count * pixels, columns = scratch.columns.pointer
            im2col(input + first * inChannels * pixels, images: count, into: columns)
            for i in 0..<count {
                Scalar.gemm(transposeA: false, transposeB: true, m: outChannels, n: patch, k: pixels,
                            alpha: 1, a: dy + (first + i) * ldy, lda: pixels, b: columns + i * pixels, ldb: n,
                            beta: 1, c: weightGradient, ldc: patch)
            }
        }
    }

    /// `y[i, o, ·] (+)= bias[o]` for every frame.
    func addBias(_ bias: UnsafePointer<Scalar>, images: Int, to y: UnsafeMutablePointer<Scalar>, ldy: Int) {
        let pixels = map.pixels
        for i in 0..<images {
            for o in 0..<outChannels {
                let target = y + i * ldy + o * pixels, b = bias[o]
                for p in 0..<pixels { target[p] += b }
            }
        }
    }

    /// `dBias[o] += Σ_{i, y, x} dy[i, o, y, x]`.
    func accumulateBiasGradient(images: Int, outputGradient dy: UnsafePointer<Scalar>, ldy: Int,
                                biasGradient: UnsafeMutablePointer<Scalar>) {
        let pixels = map.pixels
        for i in 0..<images {
            for o in 0..<outChannels {
                let source = dy + i * ldy + o * pixels
                var sum: Scalar = 0
                for p in 0..<pixels { sum += source[p] }
                biasGradient[o] += sum
            }
        }
    }

    /// For every patch row `(c·k + u)·k + v`, frame and output row `y`: the input row it reads
    /// (`nil` in the padding), its horizontal shift `v - k/2`, and the output columns whose
    /// input lies inside the frame. Shared by im2col and col2im, so that each is the other's
    /// transpose by construction.
    private func forEachPatchRow(images: Int, _ visit: (_ row: Int, _ image: Int, _ channel: Int, _ y: Int,
                                                        _ sourceY: Int?, _ shift: Int, _ valid: Range<Int>) -> Void) {
        let k = map.kernelSize, pad = k / 2, height = map.height, width = map.width
        for c in 0..<inChannels {
            for u in 0..<k {
                for v in 0..<k {
                    let shift = v - pad
                    let valid = max(0, -shift)..<max(max(0, -shift), min(width, width - shift))
                    for image in 0..<images {
                        for y in 0..<height {
                            let sourceY = y + u - pad
                            visit((c * k + u) * k + v, image, c, y, (0..<height).contains(sourceY) ? sourceY : nil,
                                  shift, valid)
                        }
                    }
                }
            }
        }
    }

    /// `columns[(c·k + u)·k + v, i·Y·X + y·X + x] = in[i, c, y + u - k/2, x + v - k/2]`, 0 outside.
    func im2col(_ input: UnsafePointer<Scalar>, images: Int, into columns: UnsafeMutablePointer<Scalar>) {
        let pixels = map.pixels, width = map.width, n = images * pixels
        forEachPatchRow(images: images) { row, image, channel, y, sourceY, shift, valid in
            let target = columns + row * n + image * pixels + y * width
            guard let sourceY else {
                target.update(repeating: 0, count: width)
                return
            }
            let source = input + (image * inChannels + channel) * pixels + sourceY * width + shift
            target.update(repeating: 0, count: valid.lowerBound)
            (target + valid.lowerBound).update(from: source + valid.lowerBound, count: valid.count)
            (target + valid.upperBound).update(repeating: 0, count: width - valid.upperBound)
        }
    }

    /// The transpose of ``im2col(_:images:into:)``: adds every column entry into the input
    /// pixel it was read from.
    func col2im(_ columns: UnsafePointer<Scalar>, images: Int, adding input: UnsafeMutablePointer<Scalar>) {
        let pixels = map.pixels, width = map.width, n = images * pixels
        forEachPatchRow(images: images) { row, image, channel, y, sourceY, shift, valid in
            guard let sourceY else { return }
            let source = columns + row * n + image * pixels + y * width
            let target = input + (image * inChannels + channel) * pixels + sourceY * width + shift
            for x in valid { target[x] += source[x] }
        }
    }
}

/// The memory ``Convolution2D`` works in for up to `frames` frames at a time: their im2col
/// columns.
public struct ConvolutionScratch<Scalar: TensorScalar> {
    let frames: Int
    let columns: Buffer<Scalar>

    init(frames: Int, patch: Int, pixels: Int) {
        self.frames = frames
        columns = Buffer(count: frames * patch * pixels, zeroed: false)
    }
}
