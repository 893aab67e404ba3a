import Testing
@testable import GutsStorage

@Suite struct TieredStoreTests {
    @Test func promotionAndDemotionCountersAreExact() throws {
        let directory = try TemporaryDirectory()
        let cold = try RocksDBStore(path: directory.path)
        // Each entry is a 1-byte key plus a 9-byte value: the hot tier holds two.
        let tiered = TieredStore(cold: cold, hotCapacityBytes: 20)
        defer { tiered.close() }
        let value = { (byte: UInt8) in [UInt8](repeating: byte, count: 9) }

        try tiered.put([1], value(1), in: .objects)
        try tiered.put([2], value(2), in: .objects)
        try tiered.put([3], value(3), in: .objects)  // demotes 1
        var statistics = tiered.tierStatistics
        #expect(statistics.demotions == 1)
        #expect(statistics.hotEntries == 2)
        #expect(statistics.hotBytes == 20)
        #expect(tiered.hot.byteCount() == 20, "demoted bytes leave memory")
        #expect(try tiered.hot.get([1], in: .objects) == nil)

        #expect(try tiered.get([3], in: .objects) == value(3))  // hot hit
        #expect(try tiered.get([1], in: .objects) == value(1))  // cold hit, promoted, demotes 2
        #expect(try tiered.get([9], in: .objects) == nil)  // miss
        #expect(try tiered.get([1], in: .objects) == value(1))  // hot hit now
        statistics = tiered.tierStatistics
        #expect(statistics.hotHits == 2)
        #expect(statistics.coldHits == 1)
        #expect(statistics.promotions == 1)
        #expect(statistics.misses == 1)
        #expect(statistics.demotions == 2)
        #expect(try tiered.hot.get([2], in: .objects) == nil)
        #expect(try cold.get([2], in: .objects) == value(2), "cold tier stays complete")
        #expect(try tiered.contains([2], in: .objects) && tiered.contains([1], in: .objects))
        #expect(try !tiered.contains([9], in: .objects) && !cold.contains([9], in: .objects))
        #expect(tiered.tierStatistics == statistics, "a membership check neither counts nor promotes")

        try tiered.delete([1], in: .objects)
        #expect(try tiered.get([1], in: .objects) == nil)
        #expect(tiered.tierStatistics.hotEntries == 1)

        // Other families bypass the hot tier.
        try tiered.put([7], [7], in: .refs)
        #expect(try tiered.get([7], in: .refs) == [7])
        #expect(tiered.tierStatistics.hotEntries == 1)
    }

    @Test func storageWithHotTierServesObjects() throws {
        let directory = try TemporaryDirectory()
        var options = Storage.Options()
        options.hotTierBytes = 1 << 20
        options.objectCacheEntries = 0
        let storage = try Storage.open(dataDirectory: directory.path, options: options)
        defer { storage.close() }
        let repository = try storage.repositories.create(name: "team/tiered")
        let id = try storage.objects(repository).put(.blob, body: Array("tiered".utf8))
        #expect(try storage.objects(repository).load(id)?.body == Array("tiered".utf8))
        let statistics = try #require(storage.tierStatistics)
        #expect(statistics.hotHits == 1)
        #expect(statistics.hotEntries == 1)
    }
}
