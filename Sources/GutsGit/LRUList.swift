/// The one least-recently-used structure: behind `ObjectCache`, `TieredStore` and the
/// delta resolver's base cache.
///
/// A dictionary from key to slot plus a doubly linked list threaded through arrays
/// (`previous`/`next` slot indices), so lookup, touch, insert and evict are all O(1)
/// and no per-entry objects are allocated. Freed slots are reused.
/// Bounded by an entry count and a total cost (bytes); not thread-safe by itself.
/// Inlinable, so each client module specializes it for its keys (an unspecialized generic
/// dictionary lookup costs a witness-table call per hash and compare).
public struct LRUList<Key: Hashable, Value> {
    @usableFromInline struct Slot {
        @usableFromInline var key: Key?
        @usableFromInline var value: Value?
        @usableFromInline var cost: Int
        @usableFromInline var previous: Int
        @usableFromInline var next: Int

        @inlinable init(key: Key?, value: Value?, cost: Int, previous: Int, next: Int) {
            self.key = key
            self.value = value
            self.cost = cost
            self.previous = previous
            self.next = next
        }
    }

    @usableFromInline var index: [Key: Int] = [:]
    @usableFromInline var slots: [Slot] = []
    @usableFromInline var freeSlots: [Int] = []
    /// Most recently used slot, or -1.
    @usableFromInline var head = -1
    /// Least recently used slot, or -1.
    @usableFromInline var tail = -1

    public let maxEntries: Int
    public let maxCost: Int
    @usableFromInline var costSum = 0
    /// The summed cost of the entries held.
    @inlinable public var totalCost: Int { costSum }

    @inlinable public init(maxEntries: Int, maxCost: Int) {
        self.maxEntries = max(0, maxEntries)
        self.maxCost = max(0, maxCost)
    }

    @inlinable public var count: Int { index.count }

    @inlinable public func contains(_ key: Key) -> Bool { index[key] != nil }

    /// The value for `key`, marking it most recently used.
    @inlinable public mutating func get(_ key: Key) -> Value? {
        guard let slot = index[key] else { return nil }
        moveToFront(slot)
        return slots[slot].value
    }

    /// The value for `key` without changing the order.
    @inlinable public func peek(_ key: Key) -> Value? {
        index[key].flatMap { slots[$0].value }
    }

    /// Inserts or replaces `key`, then evicts least recently used entries until within
    /// bounds. Returns the evicted entries (never the one just inserted), or nil when
    /// `cost` alone exceeds the bound and nothing was inserted.
    @inlinable @discardableResult public mutating func insert(_ key: Key, _ value: Value, cost: Int) -> [(key: Key, value: Value, cost: Int)]? {
        guard maxEntries > 0, cost <= maxCost else {
            _ = remove(key)
            return nil
        }
        if let slot = index[key] {
            costSum += cost - slots[slot].cost
            slots[slot].value = value
            slots[slot].cost = cost
            moveToFront(slot)
        } else {
            let slot: Int
            let fresh = Slot(key: key, value: value, cost: cost, previous: -1, next: -1)
            if let reused = freeSlots.popLast() {
                slot = reused
                slots[slot] = fresh
            } else {
                slot = slots.count
                slots.append(fresh)
            }
            index[key] = slot
            costSum += cost
            linkAtFront(slot)
        }
        var evicted: [(key: Key, value: Value, cost: Int)] = []
        while index.count > maxEntries || totalCost > maxCost, tail != -1, slots[tail].key != key {
            let victim = tail
            let entry = slots[victim]
            _ = remove(entry.key!)  // safe: listed slots always hold an entry
            evicted.append((entry.key!, entry.value!, entry.cost))  // safe: listed slots always hold an entry
        }
        return evicted
    }

    /// Removes `key`, returning its value and cost.
    @inlinable @discardableResult public mutating func remove(_ key: Key) -> (value: Value, cost: Int)? {
        guard let slot = index.removeValue(forKey: key) else { return nil }
        unlink(slot)
        let entry = slots[slot]
        costSum -= entry.cost
        slots[slot] = Slot(key: nil, value: nil, cost: 0, previous: -1, next: -1)
        freeSlots.append(slot)
        return (entry.value!, entry.cost)  // safe: listed slots always hold an entry
    }

    /// Removes every entry whose key matches; O(n).
    @inlinable public mutating func removeAll(where predicate: (Key) -> Bool) -> Int {
        let doomed = index.keys.filter(predicate)
        for key in doomed { remove(key) }
        return doomed.count
    }

    @inlinable public mutating func removeAll() {
        self = LRUList(maxEntries: maxEntries, maxCost: maxCost)
    }

    /// Keys from most to least recently used (for tests and debugging).
    public var keysByRecency: [Key] {
        var keys: [Key] = []
        var slot = head
        while slot != -1 {
            keys.append(slots[slot].key!)  // safe: listed slots always hold an entry
            slot = slots[slot].next
        }
        return keys
    }

    @inlinable mutating func linkAtFront(_ slot: Int) {
        slots[slot].previous = -1
        slots[slot].next = head
        if head != -1 { slots[head].previous = slot }
        head = slot
        if tail == -1 { tail = slot }
    }

    @inlinable mutating func unlink(_ slot: Int) {
        let previous = slots[slot].previous
        let next = slots[slot].next
        if previous != -1 { slots[previous].next = next } else { head = next }
        if next != -1 { slots[next].previous = previous } else { tail = previous }
        slots[slot].previous = -1
        slots[slot].next = -1
    }

    @inlinable mutating func moveToFront(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        linkAtFront(slot)
    }
}
