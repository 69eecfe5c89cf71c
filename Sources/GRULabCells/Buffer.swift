/// Scratch memory that a pass through a sequence owns.
///
/// Activations saved for backward and gradient accumulators live in buffers allocated once per
/// pass, so that the time loop itself allocates nothing. A class because it owns memory it
/// frees in `deinit`; buffers are never shared between threads.
public final class Buffer<Scalar: BitwiseCopyable>: @unchecked Sendable {
    /// The number of elements.
    public let count: Int
    /// The first element.
    public let pointer: UnsafeMutablePointer<Scalar>

    /// `count` elements, all zero bits; or, when `zeroed` is false, whatever the memory held,
    /// for buffers that every pass writes in full before reading (a pass's saved activations
    /// are hundreds of megabytes at T = 1000, and zeroing them costs a pass over memory).
    public init(count: Int, zeroed: Bool = true) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        if zeroed { zero() }
    }

    deinit { pointer.deallocate() }

    /// The element at `offset`.
    @inlinable
    public subscript(offset: Int) -> UnsafeMutablePointer<Scalar> { pointer + offset }

    /// Sets every element to zero bits.
    public func zero() {
        UnsafeMutableRawPointer(pointer).initializeMemory(as: UInt8.self, repeating: 0,
                                                          count: count * MemoryLayout<Scalar>.stride)
    }
}
