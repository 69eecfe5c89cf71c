/// `e^x` for Float in a form the compiler vectorises: Cephes' `expf` polynomial after a
/// range reduction whose rounding uses the `1.5 * 2^23` trick, so the loop has no checked
/// Float-to-Int conversion (which would stop vectorisation) and no libm call.
///
/// Relative error below 2e-7 over `[-87, 88]`; inputs outside are clamped. Used by
/// ``Activation/apply(_:count:)`` for Float, where it makes sigmoid 2x and tanh 4x faster than
/// libm; Double keeps libm, whose last-digit accuracy the float64 parity checks rely on.
@inlinable @inline(__always)
public func fastExponential(_ v: Float) -> Float {
    var x = Swift.min(Swift.max(v, -87.3), 88.7)
    let shifted = x * 1.442_695_04 + 12_582_912  // round(x log2 e) lands in the low mantissa bits
    let n = shifted - 12_582_912
    x = x - n * 0.693_359_375 + n * 2.121_944_40e-4  // x - n ln 2, ln 2 split in two for accuracy
    let z = x * x
    var y: Float = 1.987_569_150_0e-4
    y = y * x + 1.398_199_950_7e-3
    y = y * x + 8.333_451_907_3e-3
    y = y * x + 4.166_579_589_4e-2
    y = y * x + 1.666_666_545_9e-1
    y = y * x + 5.000_000_120_1e-1
    y = y * z + x + 1
    return y * Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)  // * 2^n
}
