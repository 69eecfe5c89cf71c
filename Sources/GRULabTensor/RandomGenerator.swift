import _GRULabKernels

/// A seeded, reproducible random generator: xoshiro256** seeded through SplitMix64.
///
/// The same seed gives the same stream on every machine and in every precision, so that a run's
/// data, initialisation and masks can be repeated exactly from the seed recorded in its results.
/// `split(_:)` derives an independent stream for a named purpose (data, weights, dropout), so
/// that adding a use of randomness in one place does not shift the numbers drawn in another.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Codable {
    fileprivate var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var mix = SplitMix64(state: seed)
        state = (mix.next(), mix.next(), mix.next(), mix.next())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// An independent generator for a named purpose, derived from this one's seed state
    /// without advancing it.
    public func split(_ purpose: String) -> SeededGenerator {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, stable across runs unlike Hasher
        for byte in purpose.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return SeededGenerator(seed: state.0 ^ rotateLeft(state.2, 13) ^ hash)
    }

    /// A uniform value in `[low, high)`, drawn from 53 random bits.
    public mutating func uniform<Scalar: TensorScalar>(_ low: Scalar, _ high: Scalar) -> Scalar {
        let unit = Double(next() >> 11) * 0x1.0p-53
        return low + (high - low) * Scalar(unit)
    }

    /// A standard normal value (Box–Muller, one of the pair).
    public mutating func normal<Scalar: TensorScalar>() -> Scalar {
        let u1 = Double((next() >> 11) + 1) * 0x1.0p-53  // (0, 1]: log stays finite
        let u2 = Double(next() >> 11) * 0x1.0p-53
        return Scalar(Double.sqrt(-2 * Double.log(u1)) * Double.cos(2 * Double.pi * u2))
    }

    /// `true` with probability `p`.
    public mutating func bernoulli(_ p: Double) -> Bool {
        Double(next() >> 11) * 0x1.0p-53 < p
    }

    /// Writes `value` where a Bernoulli draw of probability `p` succeeds and 0 elsewhere, over
    /// `count` elements: the bulk form of ``bernoulli(_:)``, through a ``LaneGenerator`` seeded
    /// from this generator's next four words.
    public mutating func fillBernoulli<Scalar: TensorScalar>(_ y: UnsafeMutablePointer<Scalar>, count: Int,
                                                             p: Double, value: Scalar) {
        var lanes = LaneGenerator(from: &self)
        lanes.fillBernoulli(y, count: count, p: p, value: value)
    }

    public static func == (a: SeededGenerator, b: SeededGenerator) -> Bool {
        a.state == b.state
    }

    private enum CodingKeys: CodingKey { case state }

    public init(from decoder: Decoder) throws {
        let words = try decoder.container(keyedBy: CodingKeys.self).decode([UInt64].self, forKey: .state)
        guard words.count == 4 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "a generator state has 4 words"))
        }
        state = (words[0], words[1], words[2], words[3])
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode([state.0, state.1, state.2, state.3], forKey: .state)
    }
}

private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

@inline(__always)
private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

/// Four xoshiro256** generators run side by side, for masks of millions of Bernoulli draws.
///
/// One generator's chain of dependent state updates is what limits ``SeededGenerator/next()``;
/// four independent ones run in one AVX2 register each word (`_GRULabKernels/Bernoulli.c`, the
/// same bits one lane after the other without AVX2), and each 64-bit word gives two draws, its
/// low and high 32 bits compared with `p · 2^32` (so `p` has a resolution of 2^-32): a tenth of
/// a nanosecond a draw, against about 2.5 for a loop of ``SeededGenerator/bernoulli(_:)``, as
/// reproducible.
public struct LaneGenerator: Sendable {
    /// Word `w` of lane `l` at `4 w + l`, as the kernel reads them.
    private var state: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    /// Lanes seeded from `generator`'s next four words.
    public init(from generator: inout SeededGenerator) {
        let lanes = (0..<4).map { _ in SeededGenerator(seed: generator.next()).state }
        state = (lanes[0].0, lanes[1].0, lanes[2].0, lanes[3].0, lanes[0].1, lanes[1].1, lanes[2].1, lanes[3].1,
                 lanes[0].2, lanes[1].2, lanes[2].2, lanes[3].2, lanes[0].3, lanes[1].3, lanes[2].3, lanes[3].3)
    }

    /// Writes `value` where a Bernoulli draw of probability `p` succeeds and 0 elsewhere, over
    /// `count` elements, continuing the lanes: element `8k + 2l + i` is half `i` of lane `l`'s
    /// `k`-th word; a last partial block of 8 discards the draws it does not use.
    public mutating func fillBernoulli<Scalar: TensorScalar>(_ y: UnsafeMutablePointer<Scalar>, count: Int,
                                                             p: Double, value: Scalar) {
        let threshold = UInt32(clamping: Int64((max(0, min(1, p)) * 0x1.0p32).rounded()))
        let certain: Int32 = p >= 1 ? 1 : 0
        withUnsafeMutableBytes(of: &state) { words in
            let state = words.baseAddress!.assumingMemoryBound(to: UInt64.self)
            if Scalar.self == Float.self {
                grulab_bernoulli_lanes_f32(state, UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self),
                                           count, threshold, certain, unsafeBitCast(value, to: Float.self))
            } else {
                grulab_bernoulli_lanes_f64(state, UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self),
                                           count, threshold, certain, unsafeBitCast(value, to: Double.self))
            }
        }
    }
}
