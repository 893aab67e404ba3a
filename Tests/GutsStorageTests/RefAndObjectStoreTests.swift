import GutsCompression
import Testing
@testable import GutsGit
@testable import GutsStorage

@Suite struct RefAndObjectStoreTests {
    func id(_ text: String) -> ObjectID { SHA1.objectID(type: .blob, body: Array(text.utf8)) }

    @Test func staleTransactionChangesNothing() throws {
        let directory = try TemporaryDirectory()
        let storage = try Storage.open(dataDirectory: directory.path)
        defer { storage.close() }
        let refs = storage.refs(try storage.repositories.create(name: "team/refs"))
        let (a, b, c) = (id("a"), id("b"), id("c"))
        try refs.transaction([
            RefUpdate(name: "refs/heads/main", expected: nil, new: a),
            RefUpdate(name: "refs/tags/v1", expected: .zero, new: a),
        ])
        #expect(throws: StorageError.refConflict(name: "refs/heads/main", expected: b, actual: a)) {
            try refs.transaction([RefUpdate(name: "refs/heads/main", expected: b, new: c)])
        }
        #expect(throws: StorageError.refConflict(name: "refs/heads/main", expected: nil, actual: a)) {
            try refs.transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: c)])
        }
        // Two refs, the second stale: neither changes.
        #expect(throws: StorageError.refConflict(name: "refs/tags/v1", expected: b, actual: a)) {
            try refs.transaction([
                RefUpdate(name: "refs/heads/main", expected: a, new: c),
                RefUpdate(name: "refs/tags/v1", expected: b, new: c),
            ])
        }
        #expect(try refs.get("refs/heads/main") == a)
        #expect(try refs.get("refs/tags/v1") == a)

        try refs.transaction([
            RefUpdate(name: "refs/heads/main", expected: a, new: b),
            RefUpdate(name: "refs/tags/v1", expected: a, new: nil),
            RefUpdate(name: "refs/heads/feature", expected: nil, new: c),
        ])
        #expect(try refs.list().map(\.name) == ["refs/heads/feature", "refs/heads/main"])
        #expect(try refs.list(prefix: "refs/heads/").map(\.id) == [c, b])
        #expect(try refs.list(prefix: "refs/tags/").isEmpty)
        #expect(try refs.head() == "refs/heads/main")
        #expect(refs.resolveHead() == b)
        #expect(try refs.get("HEAD") == b)
        try refs.setHead("refs/heads/feature")
        #expect(refs.resolveHead() == c)
        try refs.setHead("refs/heads/unborn")
        #expect(refs.resolveHead() == nil)
        #expect(throws: StorageError.self) {
            try refs.transaction([
                RefUpdate(name: "refs/heads/x", expected: nil, new: a), RefUpdate(name: "refs/heads/x", expected: nil, new: b),
            ])
        }
        #expect(try refs.get("refs/heads/x") == nil)
    }

    @Test func concurrentTransactionsOnOneRefHaveOneWinnerPerExpectedValue() async throws {
        let directory = try TemporaryDirectory()
        let storage = try Storage.open(dataDirectory: directory.path)
        defer { storage.close() }
        let refs = storage.refs(try storage.repositories.create(name: "team/race"))
        var current = id("start")
        try refs.transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: current)])
        for round in 0..<10 {
            let expected = current
            let winners = await withTaskGroup(of: ObjectID?.self) { group in
                for contender in 0..<16 {
                    group.addTask {
                        let new = self.id("round \(round) contender \(contender)")
                        do {
                            try refs.transaction([RefUpdate(name: "refs/heads/main", expected: expected, new: new)])
                            return new
                        } catch {
                            return nil
                        }
                    }
                }
                var winners: [ObjectID] = []
                for await result in group { if let result { winners.append(result) } }
                return winners
            }
            #expect(winners.count == 1, "round \(round)")
            let winner = try #require(winners.first)
            #expect(try refs.get("refs/heads/main") == winner)
            current = winner
        }
    }

    @Test func refNamesAreValidated() throws {
        let refs = Storage.inMemory().refs(Repository(id: 1, owner: "o", name: "n"))
        for good in ["refs/heads/main", "refs/tags/v1.0", "refs/heads/feature/x-y_z", "refs/pull/1/head"] {
            try RefName.validate(good)
        }
        let bad: [(String, String)] = [
            ("heads/main", "must start with 'refs/'"),
            ("refs/heads/", "must not end with '/'"),
            ("refs/heads/a.lock", "a component must not end with '.lock'"),
            ("refs/heads/a.", "must not end with '.'"),
            ("refs/heads/a..b", "must not contain '..'"),
            ("refs/heads//a", "must not contain '//'"),
            ("refs/heads/a@{1}", "must not contain '@{'"),
            ("refs/heads/a\u{7}", "must not contain control characters"),
            ("refs/heads/a b", "must not contain ' '"),
            ("refs/heads/a~1", "must not contain '~'"),
            ("refs/heads/a^", "must not contain '^'"),
            ("refs/heads/a:b", "must not contain ':'"),
            ("refs/heads/a?", "must not contain '?'"),
            ("refs/heads/a*", "must not contain '*'"),
            ("refs/heads/a[", "must not contain '['"),
            ("refs/heads/a\\b", "must not contain '\\'"),
            ("refs/heads/.hidden", "a component must not start with '.'"),
            ("refs/heads/x.lock/y", "a component must not end with '.lock'"),
            ("refs/heads/" + String(repeating: "n", count: 1014), "longer than 1024 bytes"),
        ]
        try RefName.validate("refs/heads/" + String(repeating: "n", count: 1013))
        #expect(!RefName.isValid([UInt8]("refs/heads/".utf8) + [0xFF, 0xFE]))
        for (name, reason) in bad {
            #expect(throws: StorageError.invalidRefName(name, reason: reason)) { try RefName.validate(name) }
        }
        #expect(throws: StorageError.self) {
            try refs.transaction([RefUpdate(name: "refs/heads/a b", expected: nil, new: self.id("x"))])
        }
        #expect(throws: StorageError.self) { try refs.setHead("main") }
    }

    @Test func objectsRoundTripAndMismatchIsRefused() throws {
        let storage = Storage.inMemory()
        let objects = storage.objects(try storage.repositories.create(name: "team/objects"))
        let body = Array("tree content".utf8)
        let blobID = try objects.put(.blob, body: body)
        #expect(blobID == SHA1.objectID(type: .blob, body: body))
        let stored = try #require(try objects.get(blobID))
        #expect(stored.type == .blob && stored.size == body.count)
        #expect(try Zlib.decompress(stored.compressed, expectedSize: body.count) == body, "compressed bytes are a plain zlib stream")
        #expect(try objects.load(blobID)?.type == .blob)

        let wrong = SHA1.objectID(type: .blob, body: Array("other".utf8))
        #expect(throws: StorageError.objectIDMismatch(expected: wrong, actual: blobID)) {
            try objects.put(verified: wrong, type: .blob, body: body)
        }
        #expect(try objects.contains(wrong) == false)
        let commitBody = Array("tree 0\n".utf8)
        let commitID = SHA1.objectID(type: .commit, body: commitBody)
        try objects.put(verified: commitID, type: .commit, body: commitBody)
        #expect(try objects.load(commitID)?.type == .commit)

        // A batch of compressed objects with one wrong id writes nothing.
        let good = StoredObject(id: id("g"), type: .blob, size: 1, compressed: try Zlib.compress(Array("g".utf8)))
        var forged = good
        forged.id = id("forged")
        #expect(throws: StorageError.objectIDMismatch(expected: id("forged"), actual: id("g"))) {
            try objects.putCompressed([good, forged])
        }
        #expect(try objects.contains(id("g")) == false)
        try objects.putCompressed([good])
        #expect(try objects.load(id("g"))?.body == Array("g".utf8))

        try objects.delete([blobID, id("g")])
        #expect(try objects.get(blobID) == nil)
        #expect(try objects.count() == 1)
        #expect(try objects.list(limit: 10) == [commitID])
    }

    @Test func readsGoThroughTheObjectCache() throws {
        var options = Storage.Options()
        options.objectCacheEntries = 10
        let storage = Storage.inMemory(options: options)
        let objects = storage.objects(try storage.repositories.create(name: "team/cache"))
        let blob = try objects.put(.blob, body: [9, 9, 9])
        _ = try objects.get(blob)
        _ = try objects.get(blob)
        _ = try objects.get(id("absent"))
        let statistics = storage.cacheStatistics
        #expect(statistics.hits == 1)
        #expect(statistics.misses == 2)
        #expect(statistics.inserts == 1)
        #expect(statistics.entries == 1)
    }

    @Test func storedValueLayout() throws {
        let body = [UInt8](repeating: 65, count: 300)
        let object = StoredObject(id: id("x"), type: .tree, size: body.count, compressed: try Zlib.compress(body))
        let value = object.encoded()
        #expect(value[0] == ObjectType.tree.rawValue)
        #expect(Array(value[1...2]) == [0xAC, 0x02], "varint 300")
        #expect(try StoredObject(id: object.id, decoding: value) == object)
        #expect(throws: StorageError.self) { try StoredObject(id: object.id, decoding: [9]) }
    }
}

@Suite struct RefListingCacheTests {
    /// Lists and gets served from memory follow every transaction, and a listing read
    /// before a transaction is not kept after it.
    @Test func listingsFollowTransactions() throws {
        let storage = Storage.inMemory()
        let repository = try storage.repositories.create(name: "team/refs")
        let refs = storage.refs(repository)
        let a = ObjectID(hex: String(repeating: "a", count: 40))!
        let b = ObjectID(hex: String(repeating: "b", count: 40))!
        try refs.transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: a)])
        #expect(try refs.list().map(\.name) == ["refs/heads/main"])
        #expect(try refs.get("refs/heads/main") == a)
        try refs.transaction([RefUpdate(name: "refs/heads/main", expected: a, new: b),
                              RefUpdate(name: "refs/tags/v1", expected: nil, new: a)])
        #expect(try refs.get("refs/heads/main") == b)
        #expect(try refs.list(prefix: "refs/tags/").map(\.id) == [a])
        #expect(try refs.get("refs/heads/missing") == nil)
        try refs.transaction([RefUpdate(name: "refs/heads/main", expected: b, new: nil)])
        #expect(try refs.list().map(\.name) == ["refs/tags/v1"])

        let cache = RefListingCache()
        let before = cache.generation(7)
        cache.invalidate(7)
        cache.store([("refs/heads/stale", a)], for: 7, readAt: before)
        #expect(cache.listing(7) == nil, "a listing read before a write is dropped")
        let names = ["refs/heads/a", "refs/heads/a/b", "refs/heads/a-b", "refs/tags/z"].sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let listing = names.map { (name: $0, id: a) }
        for name in names { #expect(RefListingCache.find(name, in: listing) == a) }
        #expect(RefListingCache.find("refs/heads/b", in: listing) == nil)
    }
}
