/// Regularisers the framework applies around every cell's step, so that they work on any cell,
/// built-in or custom, at the cost of one elementwise pass.
///
/// ```
/// zoneout (Krueger et al. 2016), probability p for h (pc for c):
///     training    h_t = m_t ⊙ h_{t-1} + (1 - m_t) ⊙ cell(x_t, h_{t-1}),  m_t ~ Bernoulli(p),
///                 a new mask every step, the same one reused in backward
///     evaluation  h_t = p h_{t-1} + (1 - p) cell(x_t, h_{t-1})
/// Gaussian noise (multiplicative, "Gaussian dropout"; Srivastava et al. 2014, Kingma et al. 2015), variance α:
///     training    h_t = ε_t ⊙ cell(x_t, h_{t-1}),  ε_t ~ N(1, α), a new draw every step and
///                 unit, the same one reused in backward; evaluation: no noise (E[ε] = 1)
///     learned     α per unit, a parameter log_alpha [H] of each layer and direction; the loss
///                 adds kl_weight · KL(α), Kingma et al.'s approximation
///                 KL ≈ -(0.5 ln α + 1.16145124 α - 1.50204118 α² + 0.58629921 α³), α ≤ 1
/// variational dropout (Gal & Ghahramani 2016), probabilities q_x and q_h:
///     training    h_t = cell(x_t ⊙ m_x, h_{t-1} ⊙ m_h),  m ~ Bernoulli(1 - q) / (1 - q),
///                 one mask per sequence, the same at every step; evaluation: no masks
/// ```
///
/// The recurrent mask multiplies `h` where it enters a recurrent product, as Gal & Ghahramani
/// and Keras' `recurrent_dropout` do: all of an LSTM's or a plain RNN's reads of `h`, a GRU's
/// gate and candidate products but not its `z ⊙ h` blend (masking the carried state with
/// inverted scaling would amplify it at every step); minGRU has no recurrent product, so the
/// mask leaves it unchanged. An LSTM's `c` is never masked. The outputs and `h_n` are the
/// unmasked states. Each layer and direction draws its own masks.
public struct StateModifiers: Sendable, Equatable, Hashable {
    /// Zoneout probability for h, in `[0, 1)`.
    public var zoneout: Double
    /// Zoneout probability for the memory cell c of cells that have one, in `[0, 1)`.
    public var zoneoutCell: Double
    /// Variational dropout probability on the inputs of every layer, in `[0, 1)`.
    public var inputDropout: Double
    /// Variational dropout probability on the recurrent state, in `[0, 1)`.
    public var recurrentDropout: Double
    /// The variance α of multiplicative Gaussian noise `N(1, α)` on h, `>= 0`; with
    /// ``learnedNoise``, the initial α of every unit.
    public var gaussianNoise: Double
    /// Whether α is learned per unit (a parameter `log_alpha` of every layer and direction),
    /// through the reparameterisation `ε = 1 + √α ξ`, with the KL term of
    /// ``RecurrentNetwork/noiseKL()`` to add to the loss.
    public var learnedNoise: Bool
    /// The weight of the KL term of learned noise in the training loss.
    public var klWeight: Double

    public init(zoneout: Double = 0, zoneoutCell: Double = 0, inputDropout: Double = 0, recurrentDropout: Double = 0,
                gaussianNoise: Double = 0, learnedNoise: Bool = false, klWeight: Double = 1e-3) {
        self.zoneout = zoneout
        self.zoneoutCell = zoneoutCell
        self.inputDropout = inputDropout
        self.recurrentDropout = recurrentDropout
        self.gaussianNoise = gaussianNoise
        self.learnedNoise = learnedNoise
        self.klWeight = klWeight
    }

    /// No modifier.
    public static let none = StateModifiers()

    /// Whether anything rewrites the state between steps (a cell that computes all its steps
    /// at once, such as `mingru` with its parallel scan, must then step sequentially).
    public var rewritesState: Bool { zoneout > 0 || zoneoutCell > 0 || recurrentDropout > 0 || gaussianNoise > 0 }

    /// Checks every probability is in `[0, 1)` and the noise variance is finite and `>= 0`.
    public func validate() throws {
        guard gaussianNoise >= 0, gaussianNoise.isFinite, !learnedNoise || gaussianNoise > 0 else {
            throw StateModifiersError.variance(name: "gaussian_noise", value: gaussianNoise)
        }
        for (name, p) in [("zoneout", zoneout), ("zoneout_cell", zoneoutCell),
                          ("input_dropout", inputDropout), ("recurrent_dropout", recurrentDropout)]
        where !(p >= 0 && p < 1) {
            throw StateModifiersError.probability(name: name, value: p)
        }
    }
}

/// A modifier setting out of range.
public enum StateModifiersError: Error, CustomStringConvertible, Equatable {
    case probability(name: String, value: Double)
    case variance(name: String, value: Double)

    public var description: String {
        switch self {
        case let .probability(name, value): "\(name) must be a probability in [0, 1), got \(value)"
        case let .variance(name, value): "\(name) must be a variance >= 0 (> 0 when learned), got \(value)"
        }
    }
}
