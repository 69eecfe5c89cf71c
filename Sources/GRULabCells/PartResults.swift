/// The results of work split into parts that run at once (`DispatchQueue.concurrentPerform`),
/// one slot a part: each part writes only its own slot, and the caller reads them after all
/// parts have finished, so no two threads touch one slot.
final class PartResults<Value>: @unchecked Sendable {
    private var slots: [Value?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    /// Part `index`'s result; set once, by that part.
    subscript(index: Int) -> Value? {
        get { slots[index] }
        set { slots[index] = newValue }
    }

    /// Every part's result, in part order; only after all parts have set theirs.
    var values: [Value] { slots.map { $0! } }
}
