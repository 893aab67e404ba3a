import GutsCompression
import Testing
@testable import GutsGit
@testable import GutsStorage

@Suite struct ObjectCacheTests {
    func object(_ text: String) throws -> StoredObject {
        let body = Array(text.utf8)
        return StoredObject(
            id: SHA1.objectID(type: .blob, body: body), type: .blob, size: body.count, compressed: try Zlib.compress(body))
    }

    @Test func countersAreExactForAScriptedSequence() throws {
        let cache = ObjectCache(maxEntries: 2, maxBytes: 1 << 20)
        let (a, b, c) = (try object("a"), try object("b"), try object("c"))
        let key = { (object: StoredObject) in ObjectCache.Key(repository: 1, id: object.id) }

        cache.insert(key(a), a)
        cache.insert(key(b), b)
        #expect(cache.get(key(a)) == a)  // hit; b is now least recently used
        #expect(cache.get(key(c)) == nil)  // miss
        cache.insert(key(c), c)  // evicts b
        #expect(cache.get(key(b)) == nil)  // miss
        #expect(cache.get(key(a)) == a)  // hit
        #expect(cache.get(key(c)) == c)  // hit
        #expect(cache.get(ObjectCache.Key(repository: 2, id: a.id)) == nil)  // other repository: miss

        let statistics = cache.statistics
        #expect(statistics.hits == 3)
        #expect(statistics.misses == 3)
        #expect(statistics.inserts == 3)
        #expect(statistics.evictions == 1)
        #expect(statistics.entries == 2)
        #expect(statistics.bytes == a.compressed.count + c.compressed.count)
        #expect(statistics.hitRatio == 0.5)
    }

    @Test func byteBoundEvictsAndOversizedObjectsAreNotCached() throws {
        let a = try object("a"), b = try object("b"), c = try object("c")
        let size = a.compressed.count
        #expect(b.compressed.count == size && c.compressed.count == size)
        let cache = ObjectCache(maxEntries: 100, maxBytes: 2 * size)
        for item in [a, b, c] { cache.insert(ObjectCache.Key(repository: 1, id: item.id), item) }
        var statistics = cache.statistics
        #expect(statistics.evictions == 1)
        #expect(statistics.entries == 2)
        #expect(statistics.bytes == 2 * size)
        #expect(cache.get(ObjectCache.Key(repository: 1, id: a.id)) == nil)

        let big = try object(String(repeating: "xyz0123456789", count: 50))
        cache.insert(ObjectCache.Key(repository: 1, id: big.id), big)
        statistics = cache.statistics
        #expect(statistics.inserts == 3)
        #expect(statistics.entries == 2)

        cache.removeAll(repository: 1)
        #expect(cache.statistics.entries == 0)
        #expect(cache.statistics.bytes == 0)
    }

    @Test func lruListKeepsRecencyOrderAndReusesSlots() {
        var list = LRUList<Int, String>(maxEntries: 3, maxCost: 100)
        for key in 1...3 { _ = list.insert(key, "\(key)", cost: 1) }
        #expect(list.keysByRecency == [3, 2, 1])
        _ = list.get(1)
        #expect(list.keysByRecency == [1, 3, 2])
        let evicted = list.insert(4, "4", cost: 1)
        #expect(evicted?.map(\.key) == [2])
        #expect(list.keysByRecency == [4, 1, 3])
        list.remove(1)
        #expect(list.keysByRecency == [4, 3])
        _ = list.insert(5, "5", cost: 99)  // 1 + 1 + 99 > 100: evicts 3
        #expect(list.keysByRecency == [5, 4])
        #expect(list.totalCost == 100)
    }
}
