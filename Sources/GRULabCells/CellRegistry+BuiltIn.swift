import GRULabTensor

extension CellRegistry {
    /// The built-in cells, `gru`, `d2l-gru`, `mingru`, `cellstate-gru`, `lstm`, `rnn-tanh`,
    /// `rnn-relu`, the convolutional `convgru`, `convlstm`, `convrnn-tanh`, and the presets of
    /// ``presets(of:)``.
    public static let builtIn = CellRegistry(cells + presets(of: cells))

    /// Zoneout, variational-dropout and Gaussian-noise presets of the cells, with the
    /// probabilities of the papers' recurrent experiments: zoneout 0.1 on h (0.05 on h and 0.5
    /// on c for an LSTM, as Krueger et al. 2016 found best), variational dropout 0.25 on inputs
    /// and state (Gal & Ghahramani 2016), Gaussian noise of variance 0.1 (the `α` of a
    /// dropout rate of about 0.1, α = p / (1 - p); Kingma et al. 2015).
    public static func presets(of cells: [CellDescriptor]) -> [CellDescriptor] {
        let zoneout = StateModifiers(zoneout: 0.1)
        let zoneoutLSTM = StateModifiers(zoneout: 0.05, zoneoutCell: 0.5)
        let variational = StateModifiers(inputDropout: 0.25, recurrentDropout: 0.25)
        let noisy = StateModifiers(gaussianNoise: 0.1)
        return cells.filter { $0.name != "rnn-relu" }.flatMap { cell -> [CellDescriptor] in
            let base = cell.name
            return [
                cell.preset("zoneout-\(base)", summary: "\(base) with zoneout (Krueger et al. 2016)",
                            modifiers: cell.hasCell ? zoneoutLSTM : zoneout),
                cell.preset("variational-\(base)",
                            summary: "\(base) with variational dropout on inputs and state (Gal & Ghahramani 2016)",
                            modifiers: variational),
                cell.preset("noisy-\(base)",
                            summary: "\(base) with multiplicative Gaussian noise N(1, 0.1) on h (Gaussian dropout)",
                            modifiers: noisy),
            ]
        }
    }

    private static let gated: Set<CellOptionName> = [.gateActivation, .candidateActivation, .initializer]

    private static let cells = [
        builtIn(
            GRUCell<Float>.self, GRUCell<Double>.self, name: "gru",
            summary: "GRU, PyTorch/cuDNN convention (gate order r, z, n; reset applied to W_hn h + b_hn)",
            equations: """
                r  = σ(W_ir x + b_ir + W_hr h + b_hr)
                z  = σ(W_iz x + b_iz + W_hz h + b_hz)
                n  = φ(W_in x + b_in + r ⊙ (W_hn h + b_hn))
                h' = (1 - z) ⊙ n + z ⊙ h
                """,
            parameterShapes: [("weight_ih", "[3H, C]"), ("weight_hh", "[3H, H]"), ("bias_ih", "[3H]"), ("bias_hh", "[3H]")],
            reference: "torch.nn.GRU; Cho et al. 2014", hasCell: false, options: gated),
        builtIn(
            D2LGRUCell<Float>.self, D2LGRUCell<Double>.self, name: "d2l-gru",
            summary: "GRU of Cho et al. 2014 / d2l.ai (reset applied to h before the recurrent product)",
            equations: """
                R  = σ(X W_xr + H W_hr + b_r)
                Z  = σ(X W_xz + H W_hz + b_z)
                H~ = φ(X W_xh + (R ⊙ H) W_hh + b_h)
                H' = Z ⊙ H + (1 - Z) ⊙ H~
                """,
            parameterShapes: ["r", "z", "h"].flatMap { [("W_x\($0)", "[C, H]"), ("W_h\($0)", "[H, H]"), ("b_\($0)", "[H]")] },
            reference: "Cho et al. 2014; Zhang et al., Dive into Deep Learning, section 10.2", hasCell: false,
            options: gated),
        builtIn(
            MinGRUCell<Float>.self, MinGRUCell<Double>.self, name: "mingru",
            summary: "minimal GRU: gates from the input only, a linear recurrence",
            equations: """
                z  = σ(x W_z^T + b_z)
                h~ = x W_h^T + b_h
                h' = (1 - z) ⊙ h + z ⊙ h~
                """,
            parameterShapes: [("weight_z", "[H, C]"), ("bias_z", "[H]"), ("weight_h", "[H, C]"), ("bias_h", "[H]")],
            reference: "Feng et al. 2024, Were RNNs All We Needed?", hasCell: false,
            options: [.gateActivation, .initializer]),
        builtIn(
            CellStateGRUCell<Float>.self, CellStateGRUCell<Double>.self, name: "cellstate-gru",
            summary: "GRU with a memory cell c and h = φ(c)",
            equations: """
                r  = σ([h, x] W_r)
                z  = σ([h, x] W_z)
                c~ = φ([r ⊙ h, x] W)
                c' = z ⊙ c + (1 - z) ⊙ c~
                h' = φ(c')
                """,
            parameterShapes: [("W_r", "[H + C, H]"), ("W_z", "[H + C, H]"), ("W", "[H + C, H]")],
            reference: "GRU with an LSTM-style cell state; rows of [h, x], h first", hasCell: true,
            options: gated),
        builtIn(
            LSTMCell<Float>.self, LSTMCell<Double>.self, name: "lstm",
            summary: "LSTM, PyTorch convention (gate order i, f, g, o)",
            equations: """
                i  = σ(W_ii x + b_ii + W_hi h + b_hi)
                f  = σ(W_if x + b_if + W_hf h + b_hf)
                g  = φ(W_ig x + b_ig + W_hg h + b_hg)
                o  = σ(W_io x + b_io + W_ho h + b_ho)
                c' = f ⊙ c + i ⊙ g
                h' = o ⊙ φ(c')
                """,
            parameterShapes: [("weight_ih", "[4H, C]"), ("weight_hh", "[4H, H]"), ("bias_ih", "[4H]"), ("bias_hh", "[4H]")],
            reference: "torch.nn.LSTM; Hochreiter & Schmidhuber 1997", hasCell: true,
            options: gated.union([.forgetBias])),
        builtIn(
            SimpleRNNCell<Float>.self, SimpleRNNCell<Double>.self, name: "rnn-tanh", candidate: .tanh,
            summary: "plain RNN with tanh, the vanishing-gradient baseline",
            equations: "h' = tanh(W_ih x + b_ih + W_hh h + b_hh)",
            parameterShapes: [("weight_ih", "[H, C]"), ("weight_hh", "[H, H]"), ("bias_ih", "[H]"), ("bias_hh", "[H]")],
            reference: "torch.nn.RNN(nonlinearity='tanh'); Elman 1990", hasCell: false),
        builtIn(
            SimpleRNNCell<Float>.self, SimpleRNNCell<Double>.self, name: "rnn-relu", candidate: .relu,
            summary: "plain RNN with relu",
            equations: "h' = relu(W_ih x + b_ih + W_hh h + b_hh)",
            parameterShapes: [("weight_ih", "[H, C]"), ("weight_hh", "[H, H]"), ("bias_ih", "[H]"), ("bias_hh", "[H]")],
            reference: "torch.nn.RNN(nonlinearity='relu'); Le et al. 2015", hasCell: false),
        builtIn(
            ConvGRUCell<Float>.self, ConvGRUCell<Double>.self, name: "convgru",
            summary: "convolutional GRU over feature maps (gate order r, z, n; reset applied before U_n)",
            equations: """
                r  = σ(W_r ⊛ x + b_ir + U_r ⊛ h + b_hr)
                z  = σ(W_z ⊛ x + b_iz + U_z ⊛ h + b_hz)
                n  = φ(W_n ⊛ x + b_in + U_n ⊛ (r ⊙ h) + b_hn)
                h' = (1 - z) ⊙ n + z ⊙ h
                ⊛: 2-D convolution, 'same' zero padding, stride 1; x [C_in, Y, X], h [H_c, Y, X]
                """,
            parameterShapes: [("weight_ih", "[3H_c, C_in, k, k]"), ("weight_hh", "[3H_c, H_c, k, k]"),
                              ("bias_ih", "[3H_c]"), ("bias_hh", "[3H_c]")],
            reference: "Ballas et al. 2016, Delving Deeper into Convolutional Networks", hasCell: false,
            options: gated.union([.featureMap])),
        builtIn(
            ConvLSTMCell<Float>.self, ConvLSTMCell<Double>.self, name: "convlstm",
            summary: "convolutional LSTM over feature maps (gate order i, f, g, o; no peepholes)",
            equations: """
                i  = σ(W_i ⊛ x + b_ii + U_i ⊛ h + b_hi)
                f  = σ(W_f ⊛ x + b_if + U_f ⊛ h + b_hf)
                g  = φ(W_g ⊛ x + b_ig + U_g ⊛ h + b_hg)
                o  = σ(W_o ⊛ x + b_io + U_o ⊛ h + b_ho)
                c' = f ⊙ c + i ⊙ g
                h' = o ⊙ φ(c')
                ⊛: 2-D convolution, 'same' zero padding, stride 1; x [C_in, Y, X], h and c [H_c, Y, X]
                """,
            parameterShapes: [("weight_ih", "[4H_c, C_in, k, k]"), ("weight_hh", "[4H_c, H_c, k, k]"),
                              ("bias_ih", "[4H_c]"), ("bias_hh", "[4H_c]")],
            reference: "Shi et al. 2015, Convolutional LSTM Network", hasCell: true,
            options: gated.union([.forgetBias, .featureMap])),
        builtIn(
            ConvRNNCell<Float>.self, ConvRNNCell<Double>.self, name: "convrnn-tanh", candidate: .tanh,
            summary: "convolutional plain RNN with tanh, the baseline of convolutional cells",
            equations: """
                h' = tanh(W ⊛ x + b_ih + U ⊛ h + b_hh)
                ⊛: 2-D convolution, 'same' zero padding, stride 1; x [C_in, Y, X], h [H_c, Y, X]
                """,
            parameterShapes: [("weight_ih", "[H_c, C_in, k, k]"), ("weight_hh", "[H_c, H_c, k, k]"),
                              ("bias_ih", "[H_c]"), ("bias_hh", "[H_c]")],
            reference: "the convolutional counterpart of torch.nn.RNN(nonlinearity='tanh')", hasCell: false,
            options: [.initializer, .featureMap]),
    ]

    /// A descriptor for a built-in cell type, in both precisions. Called with concrete types,
    /// so the closures are compiled specialised. `candidate` fixes the candidate activation
    /// where the name does (`rnn-tanh`).
    private static func builtIn<F: BuiltInCell, D: BuiltInCell>(
        _ float: F.Type, _ double: D.Type, name: String, candidate: Activation? = nil, summary: String,
        equations: String, parameterShapes: [(name: String, shape: String)], reference: String, hasCell: Bool,
        options: Set<CellOptionName> = [.initializer]
    ) -> CellDescriptor where F.Scalar == Float, D.Scalar == Double {
        @Sendable func fixed(_ options: CellOptions) -> CellOptions {
            var options = options
            if let candidate { options.candidateActivation = candidate }
            return options
        }
        return CellDescriptor(
            name: name, summary: summary, equations: equations, parameterShapes: parameterShapes,
            reference: reference, hasCell: hasCell, options: options,
            convolutional: options.contains(.featureMap),
            makeFloat: { AnyRecurrentCell(F(inputSize: $0, hiddenSize: $1, options: fixed($2), using: &$3)) },
            makeDouble: { AnyRecurrentCell(D(inputSize: $0, hiddenSize: $1, options: fixed($2), using: &$3)) })
    }
}

/// A cell the registry makes from ``CellOptions``.
protocol BuiltInCell: RecurrentCell {
    init(inputSize: Int, hiddenSize: Int, options: CellOptions, using generator: inout SeededGenerator)
}

/// A gated cell whose initialiser takes both activations; its ``BuiltInCell`` initialiser
/// follows from that.
protocol GatedBuiltInCell: BuiltInCell {
    init(inputSize: Int, hiddenSize: Int, gateActivation: Activation, candidateActivation: Activation,
         initializer: CellInitializer, featureMap: FeatureMap?, using generator: inout SeededGenerator)
}

extension GatedBuiltInCell {
    init(inputSize: Int, hiddenSize: Int, options: CellOptions, using generator: inout SeededGenerator) {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, gateActivation: options.gateActivation,
                  candidateActivation: options.candidateActivation, initializer: options.initializer,
                  featureMap: options.featureMap, using: &generator)
    }
}

extension GRU: GatedBuiltInCell {}
extension ResetGatedGRUCell: GatedBuiltInCell {}
extension LSTM: GatedBuiltInCell {}

extension MinGRUCell: BuiltInCell {
    init(inputSize: Int, hiddenSize: Int, options: CellOptions, using generator: inout SeededGenerator) {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, gateActivation: options.gateActivation,
                  recurrence: options.parallelScan ? .parallelScan : .sequential,
                  initializer: options.initializer, using: &generator)
    }
}

extension SimpleRNN: BuiltInCell {
    /// The candidate activation of `options` is the nonlinearity.
    init(inputSize: Int, hiddenSize: Int, options: CellOptions, using generator: inout SeededGenerator) {
        self.init(inputSize: inputSize, hiddenSize: hiddenSize, nonlinearity: options.candidateActivation,
                  initializer: options.initializer, featureMap: options.featureMap, using: &generator)
    }
}
