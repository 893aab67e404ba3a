import GutsCompression
import Testing
@testable import GutsGit
@testable import GutsStorage

/// Objects that arrive as deltas are stored as deltas, read back exactly, and go out
/// again as deltas without being rebuilt.
@Suite struct DeltaStorageTests {
    /// Versions of one growing text file: each is a small delta away from the previous one.
    static func versions(_ count: Int) -> [RawObject] {
        (0..<count).map { version in
            RawObject(type: .blob, body: Array((0..<(200 + version)).map { "line \($0) of a file that grows\n" }.joined().utf8))
        }
    }

    func importPack(_ pack: [UInt8], into objects: ObjectStore) throws -> ObjectImporter {
        var importer = ObjectImporter(objects: objects, batchBytes: 4096)
        _ = try PackReader(bytes: pack).readPackedObjects(externalBase: { _ in nil }) { try importer.add($0, body: $1) }
        try importer.flush()
        return importer
    }

    @Test func deltaValuesRoundTripAndATruncatedHeaderIsRefused() throws {
        let base = SHA1.objectID(type: .blob, body: [1])
        let object = StoredObject(id: SHA1.objectID(type: .blob, body: [2]), type: .blob, size: 300, compressed: try Zlib.compress([9, 9]),
                                  delta: .init(base: base, depth: 7, instructionsSize: 2))
        let value = object.encoded()
        #expect(value[0] == ObjectType.blob.rawValue | 0x80)
        #expect(try StoredObject(id: object.id, decoding: value) == object)
        #expect(try StoredObject(id: object.id, decoding: value).inflate() == [9, 9])
        #expect(throws: StorageError.self) { try StoredObject(id: object.id, decoding: Array(value.prefix(10))) }
    }

    @Test func importedDeltasReadBackExactlyAcrossARestartWithBoundedChains() throws {
        let directory = try TemporaryDirectory()
        let versions = Self.versions(80)
        // Window 1 and no depth limit: the pack holds one chain 79 deltas long.
        let pack = try PackWriter.makePack(objects: versions, useDeltas: true, window: 1, maxDepth: 1000)
        do {
            let storage = try Storage.open(dataDirectory: directory.path)
            defer { storage.close() }
            let objects = storage.objects(try storage.repositories.create(name: "t/deltas"))
            let importer = try importPack(pack, into: objects)
            #expect(importer.added.count == versions.count)
            #expect(importer.deltaCount >= versions.count - 2)
            let depths = try versions.map { try #require(try objects.get($0.id)).delta?.depth ?? 0 }
            #expect(depths.max() == ObjectStore.maxDeltaDepth, "the chain is cut at the depth bound")
            let stored = try versions.reduce(0) { $0 + (try objects.get($1.id)!.compressed.count) }
            let whole = try versions.reduce(0) { $0 + (try Zlib.compress($1.body).count) }
            #expect(stored * 5 < whole, "stored \(stored) bytes as deltas vs \(whole) whole")
            // A second import of the same pack adds nothing.
            #expect(try importPack(pack, into: objects).added.isEmpty)
        }
        let storage = try Storage.open(dataDirectory: directory.path)
        defer { storage.close() }
        let objects = storage.objects(try #require(try storage.repositories.get(name: "t/deltas")))
        for version in versions.shuffled() {
            let loaded = try #require(try objects.load(version.id))
            #expect(loaded.type == .blob && loaded.body == version.body)
        }
        #expect(storage.deltaBaseCache.statistics.hits > 0)
    }

    @Test func aSchemaOneStoreKeepsWholeObjects() throws {
        let storage = Storage.inMemory()
        try storage.setSchemaVersion(1)
        let objects = storage.objects(try storage.repositories.create(name: "t/v1"))
        let versions = Self.versions(12)
        let importer = try importPack(try PackWriter.makePack(objects: versions, useDeltas: true), into: objects)
        #expect(importer.deltaCount == 0)
        for version in versions {
            #expect(try objects.get(version.id)?.delta == nil)
            #expect(try objects.load(version.id)?.body == version.body)
        }
    }

    @Test func packsReuseStoredDeltasBasesFirstAndThinWhenTheClientHasTheBase() throws {
        let storage = Storage.inMemory()
        let objects = storage.objects(try storage.repositories.create(name: "t/packs"))
        let versions = Self.versions(30)
        let importer = try importPack(try PackWriter.makePack(objects: versions, useDeltas: true), into: objects)
        #expect(importer.deltaCount > 20)

        func read(_ pack: [UInt8], external: [ObjectID: RawObject] = [:]) throws -> (ids: Set<ObjectID>, summary: PackSummary) {
            var ids = Set<ObjectID>()
            let summary = try PackReader(bytes: pack).readObjects(externalBase: { external[$0] }) { ids.insert($0.id) }
            return (ids, summary)
        }
        // Newest first, so most deltas come before their bases in the request.
        let producer = PackProducer(ids: versions.map(\.id).reversed(), objects: objects)
        let pack = try producer.all()
        #expect(producer.statistics.offsetDeltas == importer.deltaCount)
        #expect(producer.statistics.rebuilt == 0 && producer.statistics.refDeltas == 0)
        let (ids, summary) = try read(pack)
        #expect(ids == Set(versions.map(\.id)))
        #expect(summary.deltaCount == importer.deltaCount)
        let wholePack = try PackWriter.makePack(objects: versions, useDeltas: false)
        #expect(pack.count * 5 < wholePack.count, "\(pack.count) bytes with deltas vs \(wholePack.count) whole")

        let refOnly = PackProducer(ids: versions.map(\.id), objects: objects, offsetDeltas: false)
        #expect(try read(try refOnly.all()).ids.count == versions.count)
        #expect(refOnly.statistics.refDeltas == importer.deltaCount)

        let target = try #require(try versions.first { try objects.get($0.id)?.delta != nil })
        let base = try #require(try objects.get(target.id)?.delta?.base)
        let baseObject = try #require(versions.first { $0.id == base })
        let thin = PackProducer(ids: [target.id], objects: objects, thinBases: [base])
        let thinPack = try thin.all()
        #expect(thin.statistics.refDeltas == 1)
        #expect(try read(thinPack, external: [base: baseObject]).summary.externalBaseCount == 1)
        #expect(throws: PackError.self) { try read(thinPack) }

        let full = PackProducer(ids: [target.id], objects: objects)
        let fullPack = try full.all()
        #expect(try read(fullPack).ids == [target.id])
        #expect(full.statistics.rebuilt == 1)
        #expect(thinPack.count < fullPack.count)
    }
}
