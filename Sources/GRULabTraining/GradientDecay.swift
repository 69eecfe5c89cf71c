/// The decay rate of `||dL/dh_t||` along time: the one number a vanishing-gradient study
/// compares between cells.
///
/// For one logged step and one layer and direction, with `u` the direction's own step index
/// (`u = t` forward, `u = T - 1 - t` for the reverse direction of a bidirectional layer), it is
/// the least-squares slope of `ln ||dL/dh_t||` against `u`, over the entries that are finite
/// and positive:
///
/// ```
/// decay_rate = Σ (u - ū)(ℓ_u - ℓ̄) / Σ (u - ū)²,     ℓ_u = ln ||dL/dh_u||
/// ```
///
/// The loss sits at the end of the sequence, so the norm is largest at the last step: a
/// positive rate means the gradient shrinks going back in time (vanishing), by a factor
/// `exp(-decay_rate)` per step; 0 means it is preserved; a negative rate means it grows
/// (exploding). For norms `c · ρ^(T-1-t)` the rate is exactly `-ln ρ`.
public enum GradientDecay {
    /// The rate of `norms[t]`, or `nil` with fewer than two usable entries.
    public static func rate(_ norms: [Double], reversed: Bool = false) -> Double? {
        let count = norms.count
        var points: [(u: Double, l: Double)] = []
        for (t, n) in norms.enumerated() where n > 0 && n.isFinite {
            points.append((Double(reversed ? count - 1 - t : t), Double.log(n)))
        }
        guard points.count >= 2 else { return nil }
        let meanU = points.reduce(0) { $0 + $1.u } / Double(points.count)
        let meanL = points.reduce(0) { $0 + $1.l } / Double(points.count)
        var numerator = 0.0, denominator = 0.0
        for p in points {
            numerator += (p.u - meanU) * (p.l - meanL)
            denominator += (p.u - meanU) * (p.u - meanU)
        }
        return numerator / denominator
    }
}
