import Dispatch
import GRULabTensor
import _GRULabKernels

/// A 2-D convolution with 'same' zero padding and stride 1: the forward pass, the gradient of
/// its input and of its weight, computed directly by the kernels of `_GRULabKernels`.
///
/// ```
/// y[i, o, y, x] = Σ_{c, u, v} W[o, c, u, v] · in[i, c, y + u - k/2, x + v - k/2]   (0 outside)
/// ```
///
/// `in` is `images` frames `[C_in, Y, X]` one after another. Outputs and their gradients are
/// rows of a packed buffer: frame `i`'s `[C_out, Y, X]` starts at `y + i·ldy`, so that a cell
/// writes one gate block of its `[N, G·H]` pre-activations in place.
///
/// The maps of a convolutional cell are small (16 × 16 with 16 channels, say), where im2col and
/// BLAS spend as long building and packing the `[C_in·k², Y·X]` patch matrix of every frame,
/// zeroing and scattering its gradient, as multiplying: the direct kernels read each frame once
/// into a zero-padded copy and accumulate whole output rows in registers.
struct Convolution2D<Scalar: TensorScalar> {
    /// `[C_out, C_in, k, k]`: a `[C_out, C_in·k²]` matrix.
    var weight: UnsafePointer<Scalar>
    var inChannels: Int
    var outChannels: Int
    var map: FeatureMap

    /// `C_in·k²`: the length of one patch, a row of the weight matrix.
    var patch: Int { inChannels * map.kernelSize * map.kernelSize }

    /// The convolution onto output channels `first ..< first + count`: rows of the weight.
    func outputs(_ first: Int, count: Int) -> Convolution2D {
        Convolution2D(weight: weight + first * patch, inChannels: inChannels, outChannels: count, map: map)
    }

    /// `y (+)= W ⊛ in (+ bias)`, `bias` `[C_out]` adding to every pixel of its channel.
    func apply(images: Int, input: UnsafePointer<Scalar>, output y: UnsafeMutablePointer<Scalar>, ldy: Int,
               bias: UnsafePointer<Scalar>? = nil, accumulate: Bool, scratch: ConvolutionScratch<Scalar>) {
        let k = map.kernelSize
        convolve(images: images, from: inChannels, to: outChannels, weight: weight, strides: [patch, k * k, k, 1],
                 bias: bias, input: input, inputStride: inChannels * map.pixels, output: y, outputStride: ldy,
                 accumulate: accumulate, scratch: scratch)
    }

    /// `dIn (+)= Wᵀ ⊛ dy`, the gradient of the input frames: the convolution of `dy` by the
    /// kernel with input and output channels swapped and its taps flipped,
    /// `W'[c, o, u, v] = W[o, c, k-1-u, k-1-v]`, read in place through strides.
    func backwardInput(images: Int, outputGradient dy: UnsafePointer<Scalar>, ldy: Int,
                       inputGradient dx: UnsafeMutablePointer<Scalar>, accumulate: Bool,
                       scratch: ConvolutionScratch<Scalar>) {
        let k = map.kernelSize
        convolve(images: images, from: outChannels, to: inChannels, weight: weight + (k - 1) * k + k - 1,
                 strides: [k * k, patch, -k, -1], bias: nil, input: dy, inputStride: ldy, output: dx,
                 outputStride: inChannels * map.pixels, accumulate: accumulate, scratch: scratch)
    }

    /// `dW += dy ⋆ in`, the correlation over frames and pixels, into `weightGradient`
    /// `[C_out, C_in, k, k]`; and `dBias[o] += Σ_{i, y, x} dy[i, o, y, x]` when `biasGradient` is
    /// given. With several threads each takes a share of the frames, the first adding to the
    /// gradients themselves and the others to their own, added after.
    func accumulateGradients(images: Int, input: UnsafePointer<Scalar>, outputGradient dy: UnsafePointer<Scalar>,
                             ldy: Int, weightGradient dw: UnsafeMutablePointer<Scalar>,
                             biasGradient db: UnsafeMutablePointer<Scalar>?, scratch: ConvolutionScratch<Scalar>) {
        let weights = outChannels * patch, inputStride = inChannels * map.pixels
        let chunk = Int64(scratch.gradientChunk)
        let parts = scratch.split(images) { part, frames in
            let own = scratch.parts[part]
            let (dw, db) = part == 0 ? (dw, db) : (own.gradient.pointer, db.map { _ in own.gradient.pointer + weights })
            if part > 0 { own.gradient.zero() }
            let (shape, input, dy) = (shape(frames.count, from: inChannels, to: outChannels),
                                      input + frames.lowerBound * inputStride, dy + frames.lowerBound * ldy)
            if Scalar.self == Float.self {
                grulab_convolve_gradient_f32(shape, cast(input), Int64(inputStride), cast(dy), Int64(ldy), cast(dw),
                                             db.map(cast), chunk, cast(own.work.pointer), cast(own.padded.pointer))
            } else {
                grulab_convolve_gradient_f64(shape, cast(input), Int64(inputStride), cast(dy), Int64(ldy), cast(dw),
                                             db.map(cast), chunk, cast(own.work.pointer), cast(own.padded.pointer))
            }
        }
        for part in scratch.parts[1..<parts] {
            Scalar.axpy(count: weights, alpha: 1, x: part.gradient.pointer, y: dw)
            if let db { Scalar.axpy(count: outChannels, alpha: 1, x: part.gradient.pointer + weights, y: db) }
        }
    }

    private func shape(_ images: Int, from: Int, to: Int) -> grulab_convolution {
        grulab_convolution(frames: Int64(images), in_channels: Int64(from), out_channels: Int64(to),
                           height: Int64(map.height), width: Int64(map.width), kernel: Int64(map.kernelSize))
    }

    /// `output (+)= w ⊛ input (+ bias)` from `from` channels to `to`, with `w(o, c, u, v)` at
    /// `weight[o·s[0] + c·s[1] + u·s[2] + v·s[3]]`; with several threads each takes a share of
    /// the frames.
    private func convolve(images: Int, from: Int, to: Int, weight: UnsafePointer<Scalar>, strides: [Int],
                          bias: UnsafePointer<Scalar>?, input: UnsafePointer<Scalar>, inputStride: Int,
                          output: UnsafeMutablePointer<Scalar>, outputStride: Int, accumulate: Bool,
                          scratch: ConvolutionScratch<Scalar>) {
        let (s, add) = (strides.map(Int64.init), Int32(accumulate ? 1 : 0))
        scratch.split(images) { part, frames in
            let own = scratch.parts[part]
            let (shape, input, output) = (shape(frames.count, from: from, to: to),
                                          input + frames.lowerBound * inputStride,
                                          output + frames.lowerBound * outputStride)
            if Scalar.self == Float.self {
                grulab_convolve_f32(shape, cast(weight), s, bias.map(cast), cast(input), Int64(inputStride),
                                    cast(output), Int64(outputStride), add, cast(own.work.pointer),
                                    cast(own.padded.pointer))
            } else {
                grulab_convolve_f64(shape, cast(weight), s, bias.map(cast), cast(input), Int64(inputStride),
                                    cast(output), Int64(outputStride), add, cast(own.work.pointer),
                                    cast(own.padded.pointer))
            }
        }
    }
}

/// The memory ``Convolution2D`` works in, for each of the threads that share its calls:
/// zero-padded copies of the frames it reads (one frame for a convolution, `gradientChunk` for
/// the gradients of the parameters), room for the kernels' reordered weights and transposed
/// gradients, and the parameter gradients of its share of the frames.
public struct ConvolutionScratch<Scalar: TensorScalar> {
    struct Part {
        /// Zeroed once: the kernels write only the frames' interiors, so the padding stays zero.
        let padded: Buffer<Scalar>
        let work: Buffer<Scalar>
        let gradient: Buffer<Scalar>
    }

    let parts: [Part]
    let gradientChunk: Int

    /// For convolutions on `map` of up to `channels` input channels and `weights` weights, and
    /// parameter gradients of up to `gradientInputs` input and `gradientOutputs` output
    /// channels, on up to `threads` threads.
    init(map: FeatureMap, channels: Int, weights: Int, gradientInputs: Int, gradientOutputs: Int, threads: Int) {
        precondition(Scalar.self == Float.self || Scalar.self == Double.self, "the kernels are for Float and Double")
        let (height, width, kernel) = (Int64(map.height), Int64(map.width), Int64(map.kernelSize))
        let paddedFrame = Int(grulab_padded_count(1, Int64(gradientInputs), height, width, kernel))
        // a parameter gradient's frames at once: their padded inputs and output gradients in
        // about half of a 512 KiB L2 cache (measured: 3 or 4 frames of 16 and 48 channels on 16 x 16
        // maps run a third faster than 1 or 8)
        let frameBytes = (paddedFrame + gradientOutputs * map.pixels) * MemoryLayout<Scalar>.stride
        let chunk = max(1, (256 << 10) / frameBytes)
        let gradientShape = grulab_convolution(frames: Int64(chunk), in_channels: Int64(gradientInputs),
                                               out_channels: Int64(gradientOutputs), height: height, width: width,
                                               kernel: kernel)
        let padded = Int(max(grulab_padded_count(1, Int64(channels), height, width, kernel),
                             grulab_padded_count(Int64(chunk), Int64(gradientInputs), height, width, kernel)))
        let work = max(weights, Int(grulab_gradient_work_count(gradientShape, Int64(chunk))))
        gradientChunk = chunk
        parts = (0..<max(1, threads)).map { _ in
            Part(padded: Buffer(count: padded), work: Buffer(count: work, zeroed: false),
                 gradient: Buffer(count: weights + gradientOutputs, zeroed: false))
        }
    }

    /// Calls `body(part, frames)` for shares of `0..<frames`, one a thread, and returns how
    /// many parts it made; on this thread alone when there is one part.
    @discardableResult
    func split(_ frames: Int, _ body: (_ part: Int, _ frames: Range<Int>) -> Void) -> Int {
        let count = max(1, min(parts.count, frames))
        guard count > 1 else {
            body(0, 0..<frames)
            return 1
        }
        withoutActuallyEscaping(body) { body in
            let shares = Shares(body: body)
            DispatchQueue.concurrentPerform(iterations: count) { part in
                shares.body(part, part * frames / count ..< (part + 1) * frames / count)
            }
        }
        return count
    }
}

/// The body of ``ConvolutionScratch/split(_:_:)``, which its threads share: each touches only
/// its own frames and its own part of the scratch.
private struct Shares: @unchecked Sendable {
    let body: (Int, Range<Int>) -> Void
}
