import GRULabTensor

/// The masks of ``StateModifiers`` for one pass of one layer and direction, drawn when the pass
/// starts and reused in backward, and the unmasked states when recurrent dropout hides them
/// from the cell.
struct PassMasks<Scalar: TensorScalar>: @unchecked Sendable {
    let batch: Int, hiddenSize: Int, inputSize: Int
    /// Zoneout masks for h and c: `[T, N, H]` in training, one `[N, H]` of `p` at evaluation.
    let zoneoutH: Buffer<Scalar>?, zoneoutC: Buffer<Scalar>?
    let zoneoutStride: Int
    /// `[N, C]`, one row per sequence: inverted-dropout factors for the inputs.
    let input: Buffer<Scalar>?
    /// `[N, H]`: inverted-dropout factors for the state the cell reads.
    let recurrent: Buffer<Scalar>?
    /// `[N, H]`: the same factors, for a cell that applies them to its products itself.
    let productMask: Buffer<Scalar>?
    /// `[T+1, N, H]`: the unmasked h, when `recurrent` masks what the cell reads.
    let trueH: Buffer<Scalar>?
    /// `[T, N, H]`: the multiplicative Gaussian noise on h, in training.
    let noise: Buffer<Scalar>?
    /// With learned α: `[N, H]` rows of `√α`, and `[T, N, H]` the standard normal draws ξ and
    /// the states before the noise, for the gradient of `log α`.
    let learned: (sqrtAlpha: Buffer<Scalar>, xi: Buffer<Scalar>, preNoise: Buffer<Scalar>)?
    /// `[N, H]` scratch for backward.
    let scratch: Buffer<Scalar>

    /// `cellMasksProducts`: the cell applies the recurrent mask to its products itself, so
    /// the framework leaves the state unmasked and hands the mask over in ``StateBuffers``.
    /// Variational dropout draws one factor per `channelSize` consecutive features
    /// (``RecurrentCell/channelSize``). Every sequence's masks come from its own streams
    /// (``MaskStreams``).
    init(_ modifiers: StateModifiers, steps: Int, batch: Int, hiddenSize: Int, inputSize: Int, hasCell: Bool,
         cellMasksProducts: Bool, channelSize: Int = 1, logAlpha: [Scalar]? = nil, training: Bool,
         streams: MaskStreams) {
        self.batch = batch
        self.hiddenSize = hiddenSize
        self.inputSize = inputSize
        let row = batch * hiddenSize
        func zoneout(_ p: Double, _ purpose: String) -> Buffer<Scalar>? {
            guard p > 0 else { return nil }
            let mask = Buffer<Scalar>(count: training ? steps * row : row, zeroed: false)
            if training {
                streams.fill(mask.pointer, purpose, steps: steps, batch: batch, width: hiddenSize,
                             stream: LaneGenerator.init(from:)) { lanes, y, count in
                    lanes.fillBernoulli(y, count: count, p: p, value: 1)
                }
            } else {
                mask.pointer.update(repeating: Scalar(p), count: row)
            }
            return mask
        }
        func dropout(_ q: Double, _ purpose: String, width: Int) -> Buffer<Scalar>? {
            guard training, q > 0 else { return nil }
            let mask = Buffer<Scalar>(count: batch * width, zeroed: false)
            let draws = width / channelSize
            streams.fill(mask.pointer, purpose, steps: 1, batch: batch, width: width,
                         stream: LaneGenerator.init(from:)) { lanes, y, _ in
                lanes.fillBernoulli(y, count: draws, p: 1 - q, value: Scalar(1 / (1 - q)))
                // spread draw i over its channel's features, last first so no draw is
                // overwritten before it is read
                if channelSize > 1 {
                    for i in (0..<draws).reversed() { (y + i * channelSize).update(repeating: y[i], count: channelSize) }
                }
            }
            return mask
        }
        func normal(_ purpose: String, mean: Scalar, deviation: Scalar) -> Buffer<Scalar> {
            let values = Buffer<Scalar>(count: steps * row, zeroed: false)
            streams.fill(values.pointer, purpose, steps: steps, batch: batch, width: hiddenSize,
                         stream: { $0 }) { generator, y, count in
                Scalar.fillNormal(y, count: count, mean: mean, deviation: deviation, using: &generator)
            }
            return values
        }
        zoneoutH = zoneout(modifiers.zoneout, "zoneout")
        zoneoutC = hasCell ? zoneout(modifiers.zoneoutCell, "zoneout_cell") : nil
        zoneoutStride = training ? row : 0
        input = dropout(modifiers.inputDropout, "input_dropout", width: inputSize)
        let recurrentMask = dropout(modifiers.recurrentDropout, "recurrent_dropout", width: hiddenSize)
        recurrent = cellMasksProducts ? nil : recurrentMask
        productMask = cellMasksProducts ? recurrentMask : nil
        trueH = recurrent == nil ? nil : Buffer(count: (steps + 1) * row)
        if training, modifiers.gaussianNoise > 0, let logAlpha {
            let xi = normal("noise", mean: 0, deviation: 1)
            let sqrtAlpha = Buffer<Scalar>(count: row, zeroed: false)
            let unit = logAlpha.map { Scalar.exp($0 / 2) }
            for b in 0..<batch { (sqrtAlpha.pointer + b * hiddenSize).update(from: unit, count: hiddenSize) }
            let noise = Buffer<Scalar>(count: steps * row, zeroed: false)
            noise.pointer.update(repeating: 1, count: noise.count)
            let scaled = Buffer<Scalar>(count: row, zeroed: false)
            for t in 0..<steps {
                scaled.pointer.update(from: xi.pointer + t * row, count: row)
                Scalar.multiply(count: row, x: sqrtAlpha.pointer, y: scaled.pointer)
                Scalar.axpy(count: row, alpha: 1, x: scaled.pointer, y: noise.pointer + t * row)
            }
            self.noise = noise
            learned = (sqrtAlpha, xi, Buffer(count: steps * row, zeroed: false))
        } else if training, modifiers.gaussianNoise > 0 {
            noise = normal("noise", mean: 1, deviation: Scalar(modifiers.gaussianNoise.squareRoot()))
            learned = nil
        } else {
            noise = nil
            learned = nil
        }
        scratch = Buffer(count: row, zeroed: false)
    }

    /// The unmasked h at `slot`.
    func h(_ states: StateBuffers<Scalar>, _ slot: Int) -> UnsafeMutablePointer<Scalar> {
        trueH.map { $0.pointer + slot * batch * hiddenSize } ?? states.h(slot)
    }

    /// Multiplies each sequence's input rows `[T, N, C]` by its mask row.
    func maskInput(_ x: inout [Scalar], steps: Int) {
        guard let input else { return }
        x.withUnsafeMutableBufferPointer { x in
            for t in 0..<steps {
                Scalar.multiply(count: batch * inputSize, x: input.pointer, y: x.baseAddress! + t * batch * inputSize)
            }
        }
    }

    /// After the initial state is in slot 0: keeps the unmasked copy and masks what the cell reads.
    func start(_ states: StateBuffers<Scalar>) {
        guard let recurrent, let trueH else { return }
        let row = batch * hiddenSize
        trueH.pointer.update(from: states.h(0), count: row)
        Scalar.multiply(count: row, x: recurrent.pointer, y: states.h(0))
    }

    /// After the cell wrote slot `s + 1`: zoneout toward slot `s`, the carry of finished
    /// sequences, and the recurrent mask; leaves the unmasked state in ``h(_:_:)``.
    func finishStep(_ s: Int, _ states: StateBuffers<Scalar>, finished: [Int]) {
        let row = batch * hiddenSize, width = hiddenSize
        let trueNext = h(states, s + 1), truePrevious = h(states, s)
        if trueH != nil { trueNext.update(from: states.h(s + 1), count: row) }
        if let zoneoutH {
            Scalar.interpolate(count: row, toward: truePrevious, by: zoneoutH.pointer + s * zoneoutStride, y: trueNext)
        }
        if let zoneoutC {
            Scalar.interpolate(count: row, toward: states.c(s), by: zoneoutC.pointer + s * zoneoutStride, y: states.c(s + 1))
        }
        if let noise {
            learned?.preNoise[s * row].update(from: trueNext, count: row)
            Scalar.multiply(count: row, x: noise.pointer + s * row, y: trueNext)
        }
        for b in finished {
            (trueNext + b * width).update(from: truePrevious + b * width, count: width)
            if states.c != nil { (states.c(s + 1) + b * width).update(from: states.c(s) + b * width, count: width) }
        }
        if let recurrent {
            states.h(s + 1).update(from: trueNext, count: row)
            Scalar.multiply(count: row, x: recurrent.pointer, y: states.h(s + 1))
        }
    }

    /// Before the cell's backward of step `s`: takes `gradient` (w.r.t. the unmasked state at
    /// slot `s + 1`) back through the Gaussian noise, then splits it into the part zoneout
    /// passes straight to slot `s`, kept in `held`, and the part that flows through the cell,
    /// left in `gradient`.
    func splitZoneout(_ s: Int, gradient: StateBuffers<Scalar>, held: StateBuffers<Scalar>,
                      logAlphaGradient: UnsafeMutablePointer<Scalar>?) {
        let row = batch * hiddenSize
        // with learned α: dL/d log α_j += Σ_n g ⊙ h_before ⊙ ξ ⊙ √α_j / 2, since ε = 1 + √α ξ
        if let learned, let logAlphaGradient {
            let term = scratch.pointer
            term.update(from: gradient.h(0), count: row)
            Scalar.multiply(count: row, x: learned.preNoise.pointer + s * row, y: term)
            Scalar.multiply(count: row, x: learned.xi.pointer + s * row, y: term)
            Scalar.multiply(count: row, x: learned.sqrtAlpha.pointer, y: term)
            for b in 0..<batch {
                Scalar.axpy(count: hiddenSize, alpha: Scalar(0.5), x: term + b * hiddenSize, y: logAlphaGradient)
            }
        }
        // the state at slot s + 1 is the noisy one; the gradient of what came before the noise
        // is ε ⊙ the gradient
        if let noise { Scalar.multiply(count: row, x: noise.pointer + s * row, y: gradient.h(0)) }
        for (mask, g, direct) in [(zoneoutH, gradient.h(0), held.h(0))]
            + (gradient.c == nil ? [] : [(zoneoutC, gradient.c(0), held.c(0))]) {
            guard let mask else {
                direct.update(repeating: 0, count: row)
                continue
            }
            // one pass: the part m ⊙ g goes straight to slot s, the rest through the cell
            let m = mask.pointer + s * zoneoutStride
            for i in 0..<row {
                let part = m[i] * g[i]
                direct[i] = part
                g[i] -= part
            }
        }
    }

    /// After the cell's backward of step `s`: the gradient w.r.t. what the cell read at slot `s`
    /// becomes the gradient w.r.t. the unmasked state, plus zoneout's direct part.
    func finishBackwardStep(gradient: StateBuffers<Scalar>, held: StateBuffers<Scalar>) {
        let row = batch * hiddenSize
        if let recurrent { Scalar.multiply(count: row, x: recurrent.pointer, y: gradient.h(0)) }
        Scalar.axpy(count: row, alpha: 1, x: held.h(0), y: gradient.h(0))
        if gradient.c != nil { Scalar.axpy(count: row, alpha: 1, x: held.c(0), y: gradient.c(0)) }
    }

    /// `dL/dx` through the input mask.
    func maskInputGradient(_ dx: inout [Scalar], steps: Int) {
        maskInput(&dx, steps: steps)
    }
}

/// Where the random masks of a forward pass come from: a stream for each purpose, pass (layer
/// and direction) and sequence, derived from one seed. A sequence's masks therefore do not
/// depend on which other sequences share its batch, nor on how the batch is split across
/// cores (``RecurrentNetwork``), so a run gives the same numbers on any number of threads.
struct MaskStreams: Sendable {
    /// Drawn once per forward pass from the caller's generator.
    let seed: UInt64
    /// `layer * D + direction`, or the layer for dropout between layers.
    let pass: Int
    /// The index in the whole batch of this part's first sequence.
    let firstSequence: Int

    /// Fills `y` `[steps, batch, width]` row by row, each sequence's rows in step order from its
    /// own stream of `purpose`: `stream` makes it from the sequence's generator (lanes for
    /// Bernoulli draws, the generator itself for normal ones), then `body(stream, row, width)`.
    func fill<Scalar, Stream>(_ y: UnsafeMutablePointer<Scalar>, _ purpose: String, steps: Int, batch: Int, width: Int,
                              stream: (inout SeededGenerator) -> Stream,
                              _ body: (inout Stream, UnsafeMutablePointer<Scalar>, Int) -> Void) {
        for b in 0..<batch {
            var generator = SeededGenerator(seed: seed).split("\(purpose) \(pass) \(firstSequence + b)")
            var drawn = stream(&generator)
            for t in 0..<steps { body(&drawn, y + (t * batch + b) * width, width) }
        }
    }
}
