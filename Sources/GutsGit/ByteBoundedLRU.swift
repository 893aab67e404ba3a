/// A least-recently-used cache of byte buffers whose total size stays under a budget.
///
/// Used for inflated delta bases: a pack's objects are re-read from disk when needed,
/// and only recently used bases stay in memory.
struct ByteBoundedLRU<Key: Hashable> {
    struct Value {
        var type: ObjectType
        var body: [UInt8]
    }

    private struct Slot {
        var key: Key
        var value: Value
        var newer: Int
        var older: Int
    }

    let capacity: Int
    private(set) var totalBytes = 0
    private var slots: [Slot?] = []
    private var freeSlots: [Int] = []
    private var index: [Key: Int] = [:]
    private var newest = -1
    private var oldest = -1

    init(capacity: Int) { self.capacity = capacity }

    mutating func get(_ key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        unlink(slot)
        linkAsNewest(slot)
        return slots[slot]!.value  // safe: listed slots always hold an entry
    }

    /// Stores `value` unless it alone exceeds the budget; evicts the oldest entries to fit.
    mutating func put(_ key: Key, _ value: Value) {
        guard value.body.count <= capacity, index[key] == nil else { return }
        while totalBytes + value.body.count > capacity, oldest >= 0 { evict(oldest) }
        let slot: Int
        if let reused = freeSlots.popLast() { slot = reused } else { slot = slots.count; slots.append(nil) }
        slots[slot] = Slot(key: key, value: value, newer: -1, older: -1)
        index[key] = slot
        totalBytes += value.body.count
        linkAsNewest(slot)
    }

    private mutating func evict(_ slot: Int) {
        unlink(slot)
        let removed = slots[slot]!  // safe: listed slots always hold an entry
        index[removed.key] = nil
        totalBytes -= removed.value.body.count
        slots[slot] = nil
        freeSlots.append(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let newer = slots[slot]!.newer  // safe: listed slots always hold an entry
        let older = slots[slot]!.older  // safe: listed slots always hold an entry
        if newer >= 0 { slots[newer]!.older = older } else { newest = older }  // safe: listed slots always hold an entry
        if older >= 0 { slots[older]!.newer = newer } else { oldest = newer }  // safe: listed slots always hold an entry
    }

    private mutating func linkAsNewest(_ slot: Int) {
        slots[slot]!.newer = -1  // safe: listed slots always hold an entry
        slots[slot]!.older = newest  // safe: listed slots always hold an entry
        if newest >= 0 { slots[newest]!.newer = slot }  // safe: listed slots always hold an entry
        newest = slot
        if oldest < 0 { oldest = slot }
    }
}
