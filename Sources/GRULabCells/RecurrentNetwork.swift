import Dispatch
import GRULabTensor

/// Stacked, optionally bidirectional layers of any recurrent cell, with PyTorch's `nn.GRU`
/// shapes and semantics, and an exact backward pass through time.
///
/// ```
/// input   [T, N, C]  ([N, T, C] when batchFirst)
/// output  [T, N, D*H] ([N, T, D*H] when batchFirst): the last layer's h at every step,
///         the forward direction's units first
/// h_n     [L*D, N, H]  (and c_n for cells with a memory cell), index layer * D + direction
/// ```
///
/// - An omitted initial state is zeros, and gives exactly the numbers of explicit zeros.
/// - Dropout (probability `dropout`, inverted scaling) applies to the outputs of every layer
///   but the last, in training only.
/// - ``StateModifiers`` (zoneout, variational dropout) act around every step of every layer.
/// - Variable lengths: sequence `b` is valid for its first `lengths[b]` steps; padded steps
///   carry the state forward, their outputs are zero, `h_n` is each sequence's last valid
///   state, and the reverse direction starts at each sequence's own last step, as PyTorch's
///   packed sequences do.
/// - Parameters are the cells' names with PyTorch's suffixes: `weight_ih_l0`,
///   `weight_hh_l1_reverse`, …
public struct RecurrentNetwork<Scalar: TensorScalar>: Sendable {
    /// The shape of the stack.
    public struct Configuration: Sendable, Equatable {
        public var numLayers: Int
        public var bidirectional: Bool
        public var batchFirst: Bool
        public var dropout: Double
        /// Zoneout and variational dropout around every cell's step.
        public var modifiers: StateModifiers

        public init(numLayers: Int = 1, bidirectional: Bool = false, batchFirst: Bool = false, dropout: Double = 0,
                    modifiers: StateModifiers = .none) {
            self.numLayers = numLayers
            self.bidirectional = bidirectional
            self.batchFirst = batchFirst
            self.dropout = dropout
            self.modifiers = modifiers
        }

        /// `D`: 2 when bidirectional, else 1.
        public var directions: Int { bidirectional ? 2 : 1 }
    }

    public let configuration: Configuration
    /// The cells, `layer * D + direction`.
    public var cells: [AnyRecurrentCell<Scalar>]
    /// With learned Gaussian noise: each cell's `log_alpha` `[H]`, in the same order; else empty.
    public private(set) var noiseParameters: [ParameterSet<Scalar>]

    /// A network whose cell for each layer and direction comes from `makeCell(inputSize)`,
    /// called with `C` for the first layer and `D*H` for the others.
    public init(inputSize: Int, hiddenSize: Int, configuration: Configuration = .init(),
                makeCell: (_ inputSize: Int) throws -> AnyRecurrentCell<Scalar>) rethrows {
        self.configuration = configuration
        var cells: [AnyRecurrentCell<Scalar>] = []
        for layer in 0..<configuration.numLayers {
            for _ in 0..<configuration.directions {
                cells.append(try makeCell(layer == 0 ? inputSize : configuration.directions * hiddenSize))
            }
        }
        self.cells = cells
        let modifiers = configuration.modifiers
        noiseParameters = modifiers.learnedNoise && modifiers.gaussianNoise > 0
            ? cells.map { ParameterSet([("log_alpha", Tensor(repeating: Scalar(Double.log(modifiers.gaussianNoise)),
                                                                  shape: [$0.hiddenSize]))]) }
            : []
    }

    /// `C`.
    public var inputSize: Int { cells[0].inputSize }
    /// `H`.
    public var hiddenSize: Int { cells[0].hiddenSize }
    /// Whether the state has a memory cell `c`.
    public var hasCell: Bool { cells[0].hasCell }

    private func suffix(_ index: Int) -> String {
        let d = configuration.directions
        return "_l\(index / d)" + (index % d == 1 ? "_reverse" : "")
    }

    /// All parameters, named `<cell parameter>_l<layer>[_reverse]`, the cells' first, then
    /// learned noise's `log_alpha_l<layer>[_reverse]`.
    public var parameters: ParameterSet<Scalar> {
        get { joined(cells.map(\.parameters)).concatenated(with: joined(noiseParameters)) }
        set {
            var start = 0
            for i in cells.indices {
                let count = cells[i].parameters.entries.count
                let part = newValue.subset(start..<start + count)
                precondition(part.entries.map(\.shape) == cells[i].parameters.entries.map(\.shape),
                             "parameters of another network")
                cells[i].parameters = part.withNames(of: cells[i].parameters)
                start += count
            }
            for i in noiseParameters.indices {
                noiseParameters[i] = newValue.subset(start..<start + 1).withNames(of: noiseParameters[i])
                start += 1
            }
        }
    }

    /// With learned Gaussian noise, the KL term to add to the loss and its gradient (shaped as
    /// ``parameters``, zero but for `log_alpha`): Kingma, Salimans & Welling 2015's
    /// approximation, summed over units,
    ///
    /// ```
    /// KL(α) ≈ -(0.5 ln α + c1 α + c2 α² + c3 α³),  α clamped to 1 in the polynomial
    /// c1 = 1.16145124, c2 = -1.50204118, c3 = 0.58629921
    /// ```
    /// `nil` without learned noise.
    public func noiseKL() -> (value: Double, gradient: ParameterSet<Scalar>)? {
        guard !noiseParameters.isEmpty else { return nil }
        let (c1, c2, c3) = (1.161_451_24, -1.502_041_18, 0.586_299_21)
        var value = 0.0
        var gradient = parameters.zeros()
        for (i, set) in noiseParameters.enumerated() {
            let name = "log_alpha" + suffix(i)
            let logAlpha = set.storage.map(Double.init)
            value -= logAlpha.reduce(0) { total, l in
                let a = Swift.min(Double.exp(l), 1)
                return total + 0.5 * l + c1 * a + c2 * a * a + c3 * a * a * a
            }
            gradient[name] = Tensor(shape: [logAlpha.count], scalars: logAlpha.map { l in
                let a = Double.exp(l)
                return Scalar(-(0.5 + (a < 1 ? c1 * a + 2 * c2 * a * a + 3 * c3 * a * a * a : 0)))
            })
        }
        return (value, gradient)
    }

    private func joined(_ sets: [ParameterSet<Scalar>]) -> ParameterSet<Scalar> {
        sets.enumerated().reduce(ParameterSet()) { all, item in
            all.concatenated(with: item.element.renamed { $0 + suffix(item.offset) })
        }
    }

    /// What ``forward(_:initialState:lengths:training:generator:)`` computed, and what backward needs.
    public struct Forward: Sendable {
        /// `[T, N, D*H]`, or `[N, T, D*H]` when batchFirst.
        public let output: Tensor<Scalar>
        /// `h_n` (and `c_n`).
        public let finalState: RecurrentState<Scalar>
        /// One tape for each part of the batch, in the order of their sequences.
        fileprivate let tapes: [Tape]
    }

    fileprivate struct Pass: @unchecked Sendable {
        /// `[T, N, C]` in step order, after the input dropout mask.
        let input: [Scalar]
        /// The states the cell read and wrote (masked by recurrent dropout when active).
        let states: StateBuffers<Scalar>
        let workspace: AnyRecurrentCell<Scalar>.Workspace
        let masks: PassMasks<Scalar>
    }

    fileprivate struct Tape: Sendable {
        let steps: Int, batch: Int
        /// This part's sequences in the whole batch.
        let sequences: Range<Int>
        let lengths: [Int]?
        let passes: [Pass]
        let dropoutMasks: [[Scalar]?]
    }

    /// Runs the network over `input`.
    ///
    /// Sequences are independent until the parameter gradients, so a batch of at least
    /// 8 sequences is split into two halves (``parts(batch:)``), whose passes run at once on
    /// a machine with BLAS threads to share, each with half of them (one on two cores): the
    /// cores then meet once per pass, where BLAS's own threads meet at every product of every
    /// step. Always two, whatever the thread count, so the numbers never depend on it; random
    /// masks are drawn per sequence (``MaskStreams``), so they do not depend on the split.
    ///
    /// - Parameters:
    ///   - initialState: `h_0` (and `c_0`) `[L*D, N, H]`; zeros when omitted.
    ///   - lengths: the valid length of each sequence, each in `1...T`; all `T` when omitted.
    ///   - training: whether dropout between layers is active.
    ///   - generator: seeds the dropout masks (one word a call).
    /// - Throws: ``RecurrentNetworkError`` for a shape that does not fit.
    // Specialised entry points: callers in other modules reach the generic one, whose per-step
    // copies would otherwise go through value witnesses one scalar at a time.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ input: Tensor<Scalar>, initialState: RecurrentState<Scalar>? = nil,
                        lengths: [Int]? = nil, training: Bool = false,
                        generator: inout SeededGenerator) throws -> Forward {
        try forward(input, initialState: initialState, lengths: lengths, training: training,
                    maskSeed: generator.next(), parts: nil)
    }

    /// ``forward(_:initialState:lengths:training:generator:)`` over `parts` parts of the batch
    /// (``parts(batch:)`` when `nil`).
    func forward(_ input: Tensor<Scalar>, initialState: RecurrentState<Scalar>?, lengths: [Int]?, training: Bool,
                 maskSeed: UInt64, parts: Int?) throws -> Forward {
        let pass = try runParts(input, initialState: initialState, lengths: lengths, training: training,
                                keepsTape: true, maskSeed: maskSeed, parts: parts)
        return Forward(output: pass.output, finalState: pass.finalState, tapes: pass.tapes)
    }

    /// Runs the network over `input` as ``forward(_:initialState:lengths:training:generator:)``
    /// does with `training: false`, to the same numbers, but saves nothing for backward: what
    /// PyTorch computes under `torch.no_grad()`. Each cell keeps one step of its saved values
    /// (``RecurrentCell/makeEvaluationWorkspace(steps:batch:)``) instead of `T`.
    ///
    /// - Returns: the output `[T, N, D*H]` (`[N, T, D*H]` when batchFirst) and `h_n` (and `c_n`).
    /// - Throws: ``RecurrentNetworkError`` for a shape that does not fit.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func evaluate(_ input: Tensor<Scalar>, initialState: RecurrentState<Scalar>? = nil,
                         lengths: [Int]? = nil) throws -> (output: Tensor<Scalar>, finalState: RecurrentState<Scalar>) {
        try evaluate(input, initialState: initialState, lengths: lengths, parts: nil)
    }

    /// ``evaluate(_:initialState:lengths:)`` over `parts` parts of the batch (``parts(batch:)``
    /// when `nil`).
    func evaluate(_ input: Tensor<Scalar>, initialState: RecurrentState<Scalar>?, lengths: [Int]?,
                  parts: Int?) throws -> (output: Tensor<Scalar>, finalState: RecurrentState<Scalar>) {
        let pass = try runParts(input, initialState: initialState, lengths: lengths, training: false,
                                keepsTape: false, maskSeed: 0, parts: parts)
        return (pass.output, pass.finalState)
    }

    /// How many parts a batch of `batch` sequences is split into: two of at least 4 sequences,
    /// or one.
    public static func parts(batch: Int) -> Int { batch >= 8 ? 2 : 1 }

    /// The consecutive ranges of sequences of `parts` parts.
    private static func ranges(batch: Int, parts: Int) -> [Range<Int>] {
        (0..<parts).map { $0 * batch / parts..<($0 + 1) * batch / parts }
    }

    /// Runs `body` for parts `0..<count`: at once when BLAS has threads, each part with its
    /// share of them, else one after the other.
    private func inParts<Value>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Value) rethrows -> [Value] {
        let threads = blasThreads()
        guard count > 1, threads > 1 else { return try (0..<count).map(body) }
        let results = PartResults<Result<Value, any Error>>(count: count)
        setBLASThreads(max(1, threads / count))
        defer { setBLASThreads(threads) }
        DispatchQueue.concurrentPerform(iterations: count) { p in results[p] = Result { try body(p) } }
        return try results.values.map { try $0.get() }
    }

    /// The shapes checked, ``run(_:initialState:lengths:training:keepsTape:maskSeed:steps:sequences:)``
    /// on each of `parts` parts of the batch (``parts(batch:)`` when `nil`), their outputs and
    /// final states joined.
    private func runParts(_ input: Tensor<Scalar>, initialState: RecurrentState<Scalar>?, lengths: [Int]?,
                          training: Bool, keepsTape: Bool, maskSeed: UInt64, parts: Int?) throws
        -> (output: Tensor<Scalar>, finalState: RecurrentState<Scalar>, tapes: [Tape]) {
        let (steps, batch) = try checkShapes(input, initialState: initialState, lengths: lengths)
        let parts = parts ?? Self.parts(batch: batch)
        guard parts > 1 else {
            let pass = run(input, initialState: initialState, lengths: lengths, training: training,
                           keepsTape: keepsTape, maskSeed: maskSeed, steps: steps, sequences: 0..<batch)
            return (pass.output, pass.finalState, pass.tape.map { [$0] } ?? [])
        }
        let ranges = Self.ranges(batch: batch, parts: parts), batchAxis = configuration.batchFirst ? 0 : 1
        let inputs = input.split(alongAxis: batchAxis, ranges), initialStates = initialState?.split(ranges)
        let passes = inParts(parts) { p in
            run(inputs[p], initialState: initialStates?[p], lengths: lengths.map { Array($0[ranges[p]]) },
                training: training, keepsTape: keepsTape, maskSeed: maskSeed, steps: steps, sequences: ranges[p])
        }
        return (Tensor(concatenating: passes.map { $0.output }, alongAxis: batchAxis),
                RecurrentState(concatenating: passes.map { $0.finalState }), passes.compactMap { $0.tape })
    }

    /// Checks the shapes of a pass's arguments against the network.
    /// - Returns: `T` and `N`.
    private func checkShapes(_ input: Tensor<Scalar>, initialState: RecurrentState<Scalar>?,
                             lengths: [Int]?) throws -> (steps: Int, batch: Int) {
        guard input.rank == 3, input.shape[2] == inputSize else {
            throw RecurrentNetworkError.inputShape(expected: configuration.batchFirst ? "[N, T, \(inputSize)]" : "[T, N, \(inputSize)]",
                                                   got: input.shape)
        }
        let (steps, batch) = configuration.batchFirst ? (input.shape[1], input.shape[0]) : (input.shape[0], input.shape[1])
        let stateShape = [cells.count, batch, hiddenSize]
        if let initialState {
            guard initialState.h.shape == stateShape else {
                throw RecurrentNetworkError.initialStateShape(name: "h0", expected: stateShape, got: initialState.h.shape)
            }
            if hasCell, let c = initialState.c, c.shape != stateShape {
                throw RecurrentNetworkError.initialStateShape(name: "c0", expected: stateShape, got: c.shape)
            }
        }
        if let lengths {
            guard lengths.count == batch, lengths.allSatisfy({ (1...steps).contains($0) }) else {
                throw RecurrentNetworkError.lengths(expected: "\(batch) lengths in 1...\(steps)", got: lengths)
            }
        }
        return (steps, batch)
    }

    /// The pass of ``forward(_:initialState:lengths:training:generator:)`` over the part of the
    /// batch that holds `sequences` (`T` steps, shapes already checked), with its tape when
    /// `keepsTape`.
    private func run(_ input: Tensor<Scalar>, initialState: RecurrentState<Scalar>?, lengths: [Int]?, training: Bool,
                     keepsTape: Bool, maskSeed: UInt64, steps: Int, sequences: Range<Int>)
        -> (output: Tensor<Scalar>, finalState: RecurrentState<Scalar>, tape: Tape?) {
        let batch = sequences.count
        let timeMajor = configuration.batchFirst ? input.swappingFirstTwoDimensions() : input
        let (h, d) = (hiddenSize, configuration.directions)
        let stateShape = [cells.count, batch, h]
        let validLengths = lengths ?? Array(repeating: steps, count: batch)
        let padded = validLengths.contains { $0 < steps }
        let rowSize = batch * h
        var layerInput = timeMajor.scalars
        var finalH = [Scalar](repeating: 0, count: cells.count * rowSize)
        var finalC = [Scalar](repeating: 0, count: hasCell ? cells.count * rowSize : 0)
        var passes: [Pass] = []
        var masks: [[Scalar]?] = []
        for layer in 0..<configuration.numLayers {
            let features = layer == 0 ? inputSize : d * h
            // every element is written below unless some sequence is shorter: then the padding
            // must be zero (zeroing costs a pass over the whole output, as large as the states)
            var output = padded ? [Scalar](repeating: 0, count: steps * batch * d * h)
                : [Scalar](unsafeUninitializedCapacity: steps * batch * d * h) { $1 = $0.count }
            for direction in 0..<d {
                let index = layer * d + direction
                let cell = cells[index]
                let masks = PassMasks<Scalar>(configuration.modifiers, steps: steps, batch: batch, hiddenSize: h,
                                              inputSize: features, hasCell: hasCell,
                                              cellMasksProducts: cell.appliesRecurrentMask,
                                              channelSize: cell.channelSize,
                                              logAlpha: noiseParameters.isEmpty ? nil : noiseParameters[index].storage,
                                              training: training,
                                              streams: MaskStreams(seed: maskSeed, pass: index,
                                                                   firstSequence: sequences.lowerBound))
                var passInput = direction == 0 ? layerInput
                    : reversedInTime(layerInput, steps: steps, batch: batch, features: features, lengths: validLengths)
                masks.maskInput(&passInput, steps: steps)
                var states = StateBuffers<Scalar>(slots: steps + 1, batch: batch, hiddenSize: h, hasCell: hasCell,
                                                  zeroingFirstSlotOnly: true)
                states.recurrentMask = masks.productMask
                if let initialState {
                    initialState.h.withUnsafeBufferPointer { states.h(0).update(from: $0.baseAddress! + index * rowSize, count: rowSize) }
                    initialState.c?.withUnsafeBufferPointer { states.c(0).update(from: $0.baseAddress! + index * rowSize, count: rowSize) }
                }
                masks.start(states)
                let workspace = keepsTape ? cell.makeWorkspace(steps: steps, batch: batch)
                    : cell.makeEvaluationWorkspace(steps: steps, batch: batch)
                passInput.withUnsafeBufferPointer { cell.prepare(input: $0.baseAddress!, workspace: workspace) }
                for s in 0..<steps {
                    cell.step(s, states: states, workspace: workspace)
                    masks.finishStep(s, states, finished: (0..<batch).filter { s >= validLengths[$0] })
                }
                finalH.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: index * rowSize).update(from: masks.h(states, steps), count: rowSize) }
                if hasCell {
                    finalC.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: index * rowSize).update(from: states.c(steps), count: rowSize) }
                }
                output.withUnsafeMutableBufferPointer { out in
                    // one direction without padding is slots 1...T as they lie; else row by row,
                    // in memory order
                    guard d > 1 || padded else {
                        out.baseAddress!.update(from: masks.h(states, 1), count: out.count)
                        return
                    }
                    for s in 0..<steps {
                        for b in 0..<batch where s < validLengths[b] {
                            let t = direction == 0 ? s : validLengths[b] - 1 - s
                            (out.baseAddress! + ((t * batch + b) * d + direction) * h)
                                .update(from: masks.h(states, s + 1) + b * h, count: h)
                        }
                    }
                }
                if keepsTape { passes.append(Pass(input: passInput, states: states, workspace: workspace, masks: masks)) }
            }
            if training, configuration.dropout > 0, layer < configuration.numLayers - 1 {
                let keep = 1 - configuration.dropout
                let streams = MaskStreams(seed: maskSeed, pass: layer, firstSequence: sequences.lowerBound)
                let mask = [Scalar](unsafeUninitializedCapacity: output.count) { mask, count in
                    streams.fill(mask.baseAddress!, "dropout", steps: steps, batch: batch, width: d * h,
                                 stream: LaneGenerator.init(from:)) { lanes, y, width in
                        lanes.fillBernoulli(y, count: width, p: keep, value: Scalar(1 / keep))
                    }
                    count = output.count
                }
                output.withUnsafeMutableBufferPointer { o in
                    mask.withUnsafeBufferPointer { Scalar.multiply(count: o.count, x: $0.baseAddress!, y: o.baseAddress!) }
                }
                masks.append(mask)
            } else {
                masks.append(nil)
            }
            layerInput = output
        }
        let output = Tensor(shape: [steps, batch, d * h], scalars: layerInput)
        return (output: configuration.batchFirst ? output.swappingFirstTwoDimensions() : output,
                finalState: RecurrentState(h: Tensor(shape: stateShape, scalars: finalH),
                                           c: hasCell ? Tensor(shape: stateShape, scalars: finalC) : nil),
                tape: keepsTape ? Tape(steps: steps, batch: batch, sequences: sequences, lengths: lengths, passes: passes,
                                       dropoutMasks: masks) : nil)
    }

    /// Statistics of the gate that carries the state (a GRU's update gate z, an LSTM's forget
    /// gate f, minGRU's z) over the steps of `forward`, one per layer and direction
    /// (`layer * D + direction`); `nil` for cells without such a gate. Saturated counts values
    /// above 0.95 or below 0.05. Padded steps of shorter sequences are included.
    public func gateStatistics(of forward: Forward) -> [GateStatistics?] {
        cells.indices.map { index in
            let views = forward.tapes.compactMap { cells[index].carryGate(in: $0.passes[index].workspace) }
            guard !views.isEmpty else { return nil }
            var sum = 0.0, saturated = 0, count = 0
            for view in views {
                for row in 0..<view.rows {
                    let values = view.base + row * view.rowStride
                    for j in 0..<view.width {
                        let v = Double(values[j])
                        sum += v
                        if v > 0.95 || v < 0.05 { saturated += 1 }
                    }
                }
                count += view.rows * view.width
            }
            return GateStatistics(mean: sum / Double(max(count, 1)), saturatedFraction: Double(saturated) / Double(max(count, 1)))
        }
    }

    /// The gradients of one backward pass.
    public struct Gradients: Sendable {
        /// `dL/dinput`, shaped as the input.
        public var input: Tensor<Scalar>
        /// `dL/dh_0` (and `dL/dc_0`).
        public var initialState: RecurrentState<Scalar>
        /// `dL/d(parameter)`, named as ``RecurrentNetwork/parameters``.
        public var parameters: ParameterSet<Scalar>
    }

    /// Backward through time from the gradients of the outputs, handing `dL/dh_t` of every
    /// step, layer and direction to `observer`.
    ///
    /// - Parameters:
    ///   - outputGradient: `dL/d output`, shaped as the output; zeros when omitted.
    ///   - finalStateGradient: `dL/dh_n` (and `dL/dc_n`); zeros when omitted.
    @_specialize(where Scalar == Float, Observer == NoBackwardObserver<Float>)
    @_specialize(where Scalar == Float, Observer == GradientNormRecorder<Float>)
    @_specialize(where Scalar == Double, Observer == NoBackwardObserver<Double>)
    @_specialize(where Scalar == Double, Observer == GradientNormRecorder<Double>)
    public func backward<Observer: BackwardObserver>(
        _ forward: Forward, outputGradient: Tensor<Scalar>? = nil,
        finalStateGradient: RecurrentState<Scalar>? = nil, observer: inout Observer
    ) -> Gradients where Observer.Scalar == Scalar {
        if let outputGradient {
            precondition(outputGradient.shape == forward.output.shape, "output gradient of shape \(outputGradient.shape)")
        }
        guard forward.tapes.count > 1 else {
            return backward(forward.tapes[0], outputGradient: outputGradient, finalStateGradient: finalStateGradient,
                            observer: &observer)
        }
        let ranges = forward.tapes.map(\.sequences), batchAxis = configuration.batchFirst ? 0 : 1
        let outputs = outputGradient?.split(alongAxis: batchAxis, ranges), finals = finalStateGradient?.split(ranges)
        let tapes = forward.tapes
        let partGradients: [Gradients]
        if let first = observer.observerForPart() {
            // each part into its own observer, merged in the order of the parts
            let observers = PartResults<Observer>(count: tapes.count)
            for p in tapes.indices { observers[p] = p == 0 ? first : observer.observerForPart() }
            partGradients = inParts(tapes.count) { p in
                var partObserver = observers[p]!
                defer { observers[p] = partObserver }
                return backward(tapes[p], outputGradient: outputs?[p], finalStateGradient: finals?[p],
                                observer: &partObserver)
            }
            for part in observers.values { observer.merge(part) }
        } else {
            partGradients = tapes.indices.map { p in
                backward(tapes[p], outputGradient: outputs?[p], finalStateGradient: finals?[p], observer: &observer)
            }
        }
        var parameters = partGradients[0].parameters
        parameters.withUnsafeMutableBufferPointer { total in
            for part in partGradients.dropFirst() {
                part.parameters.withUnsafeBufferPointer {
                    Scalar.axpy(count: total.count, alpha: 1, x: $0.baseAddress!, y: total.baseAddress!)
                }
            }
        }
        return Gradients(input: Tensor(concatenating: partGradients.map(\.input), alongAxis: batchAxis),
                         initialState: RecurrentState(concatenating: partGradients.map(\.initialState)),
                         parameters: parameters)
    }

    /// Backward through one part's tape.
    private func backward<Observer: BackwardObserver>(
        _ tape: Tape, outputGradient: Tensor<Scalar>?, finalStateGradient: RecurrentState<Scalar>?,
        observer: inout Observer
    ) -> Gradients where Observer.Scalar == Scalar {
        let (steps, batch, h, d) = (tape.steps, tape.batch, hiddenSize, configuration.directions)
        let rowSize = batch * h
        let validLengths = tape.lengths ?? Array(repeating: steps, count: batch)
        var upstream: [Scalar]
        if let outputGradient {
            upstream = (configuration.batchFirst ? outputGradient.swappingFirstTwoDimensions() : outputGradient).scalars
        } else {
            upstream = Array(repeating: 0, count: steps * batch * d * h)
        }
        var initialH = [Scalar](repeating: 0, count: cells.count * rowSize)
        var initialC = [Scalar](repeating: 0, count: hasCell ? cells.count * rowSize : 0)
        var gradients = cells.map { $0.parameters.zeros() }
        var noiseGradients = noiseParameters.map { $0.zeros() }
        var times = [Int](repeating: -1, count: batch)
        let shortest = validLengths.min() ?? 0
        for layer in (0..<configuration.numLayers).reversed() {
            if let mask = tape.dropoutMasks[layer] {
                upstream.withUnsafeMutableBufferPointer { u in
                    mask.withUnsafeBufferPointer { Scalar.multiply(count: u.count, x: $0.baseAddress!, y: u.baseAddress!) }
                }
            }
            let features = layer == 0 ? inputSize : d * h
            var inputGradient = [Scalar](repeating: 0, count: steps * batch * features)
            for direction in 0..<d {
                let index = layer * d + direction
                let cell = cells[index], pass = tape.passes[index]
                let running = StateBuffers<Scalar>(slots: 1, batch: batch, hiddenSize: h, hasCell: hasCell)
                let held = StateBuffers<Scalar>(slots: 1, batch: batch, hiddenSize: h, hasCell: hasCell)
                let direct = StateBuffers<Scalar>(slots: 1, batch: batch, hiddenSize: h, hasCell: hasCell)
                if let finalStateGradient {
                    finalStateGradient.h.withUnsafeBufferPointer { running.h(0).update(from: $0.baseAddress! + index * rowSize, count: rowSize) }
                    finalStateGradient.c?.withUnsafeBufferPointer { running.c(0).update(from: $0.baseAddress! + index * rowSize, count: rowSize) }
                }
                for s in (0..<steps).reversed() {
                    upstream.withUnsafeBufferPointer { u in
                        // one direction at a step every sequence has: its rows lie together
                        if d == 1, s < shortest {
                            for b in 0..<batch { times[b] = s }
                            Scalar.axpy(count: rowSize, alpha: 1, x: u.baseAddress! + s * rowSize, y: running.h(0))
                            return
                        }
                        for b in 0..<batch {
                            guard s < validLengths[b] else {
                                times[b] = -1
                                continue
                            }
                            let t = direction == 0 ? s : validLengths[b] - 1 - s
                            times[b] = t
                            Scalar.axpy(count: h, alpha: 1, x: u.baseAddress! + ((t * batch + b) * d + direction) * h,
                                        y: running.h(0) + b * h)
                        }
                    }
                    times.withUnsafeBufferPointer { timesPointer in
                        observer.observe(HiddenStateGradient(
                            layer: layer, direction: direction,
                            gradient: UnsafeBufferPointer(start: running.h(0), count: rowSize),
                            times: timesPointer, firstSequence: tape.sequences.lowerBound, hiddenSize: h))
                    }
                    let padded = (0..<batch).filter { s >= validLengths[$0] }
                    for b in padded { moveRow(b, from: running, to: held) }
                    noiseGradients.indices.contains(index)
                        ? noiseGradients[index].withUnsafeMutableBufferPointer {
                            pass.masks.splitZoneout(s, gradient: running, held: direct, logAlphaGradient: $0.baseAddress)
                        }
                        : pass.masks.splitZoneout(s, gradient: running, held: direct, logAlphaGradient: nil)
                    cell.stepBackward(s, states: pass.states, gradient: running, workspace: pass.workspace)
                    pass.masks.finishBackwardStep(gradient: running, held: direct)
                    for b in padded { moveRow(b, from: held, to: running) }
                }
                initialH.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: index * rowSize).update(from: running.h(0), count: rowSize) }
                if hasCell {
                    initialC.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: index * rowSize).update(from: running.c(0), count: rowSize) }
                }
                var passGradient = [Scalar](repeating: 0, count: steps * batch * features)
                pass.input.withUnsafeBufferPointer { x in
                    passGradient.withUnsafeMutableBufferPointer { dx in
                        cell.finishBackward(input: x.baseAddress!, states: pass.states, workspace: pass.workspace,
                                            inputGradient: dx.baseAddress!, parameterGradients: &gradients[index])
                    }
                }
                pass.masks.maskInputGradient(&passGradient, steps: steps)
                if direction == 1 {
                    passGradient = reversedInTime(passGradient, steps: steps, batch: batch, features: features,
                                                  lengths: validLengths)
                }
                inputGradient.withUnsafeMutableBufferPointer { total in
                    passGradient.withUnsafeBufferPointer {
                        Scalar.axpy(count: total.count, alpha: 1, x: $0.baseAddress!, y: total.baseAddress!)
                    }
                }
            }
            upstream = inputGradient
        }
        let stateShape = [cells.count, batch, h]
        let input = Tensor(shape: [steps, batch, inputSize], scalars: upstream)
        return Gradients(
            input: configuration.batchFirst ? input.swappingFirstTwoDimensions() : input,
            initialState: RecurrentState(h: Tensor(shape: stateShape, scalars: initialH),
                                         c: hasCell ? Tensor(shape: stateShape, scalars: initialC) : nil),
            parameters: joined(gradients).concatenated(with: joined(noiseGradients)))
    }

    /// Moves row `b` of every state component from `source` to `destination`, zeroing it in
    /// `source`: padded steps pass their gradient through unchanged.
    private func moveRow(_ b: Int, from source: StateBuffers<Scalar>, to destination: StateBuffers<Scalar>) {
        let h = hiddenSize
        for (from, to) in [(source.h(0), destination.h(0))] + (hasCell ? [(source.c(0), destination.c(0))] : []) {
            (to + b * h).update(from: from + b * h, count: h)
            (from + b * h).update(repeating: 0, count: h)
        }
    }
}

/// `[T, N, F]` with each sequence's first `lengths[b]` steps in reverse order; padding stays.
private func reversedInTime<Scalar: TensorScalar>(_ x: [Scalar], steps: Int, batch: Int, features: Int,
                                                 lengths: [Int]) -> [Scalar] {
    var out = x
    x.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for b in 0..<batch {
                for s in 0..<lengths[b] {
                    let t = lengths[b] - 1 - s
                    (dst.baseAddress! + (s * batch + b) * features)
                        .update(from: src.baseAddress! + (t * batch + b) * features, count: features)
                }
            }
        }
    }
    return out
}

extension ParameterSet {
    /// These values under the names of `other`, which has the same shapes.
    func withNames(of other: ParameterSet) -> ParameterSet {
        var names = other.names.makeIterator()
        return renamed { _ in names.next()! }
    }
}

/// The mean of a gate and the fraction of its values saturated (above 0.95 or below 0.05).
public struct GateStatistics: Sendable, Equatable {
    public let mean: Double
    public let saturatedFraction: Double

    public init(mean: Double, saturatedFraction: Double) {
        self.mean = mean
        self.saturatedFraction = saturatedFraction
    }
}

/// A shape given to a ``RecurrentNetwork`` that does not fit it.
public enum RecurrentNetworkError: Error, CustomStringConvertible, Equatable {
    case inputShape(expected: String, got: [Int])
    case initialStateShape(name: String, expected: [Int], got: [Int])
    case lengths(expected: String, got: [Int])

    public var description: String {
        switch self {
        case let .inputShape(expected, got): "input has shape \(got), expected \(expected)"
        case let .initialStateShape(name, expected, got): "\(name) has shape \(got), expected \(expected)"
        case let .lengths(expected, got): "lengths \(got): expected \(expected)"
        }
    }
}
