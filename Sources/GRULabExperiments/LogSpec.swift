/// What a run records and how often.
public struct LogSpec: Sendable, Hashable {
    /// Steps between metric rows (loss, learning rate, gradient norms).
    public var every: Int
    /// Steps between records of ||dL/dh_t|| for every t, layer and direction; `nil` is never.
    public var gradHEvery: Int?
    /// Seconds between flushes of the results file, bounding what a killed run loses.
    public var flushEvery: Double
}
