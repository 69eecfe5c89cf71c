/// Zero-initialised scratch memory that a pass through a sequence owns.
///
/// Activations saved for backward and gradient accumulators live in buffers allocated once per
/// pass, so that the time loop itself allocates nothing. A class because it owns memory it
/// frees in `deinit`; buffers are never shared between threads.
public final class Buffer<Scalar: BitwiseCopyable>: @unchecked Sendable {
    /// The number of elements.
    public let count: Int
    /// The first element.
    public let pointer: UnsafeMutablePointer<Scalar>

    /// `count` elements, all zero bits.
    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        UnsafeMutableRawPointer(pointer).initializeMemory(as: UInt8.self, repeating: 0,
                                                          count: max(count, 1) * MemoryLayout<Scalar>.stride)
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
