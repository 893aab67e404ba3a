import Foundation
import GutsGit
import GutsStorage

/// Objects moving between nodes: the pack one node makes for another, and its import.
enum ClusterObjects {
    /// What `wants` reach in `repository` and the requester's `haves` do not, as a thin
    /// pack (deltas may use what `haves` reach as bases), as a fetch would send it.
    static func pack(_ repository: Repository, storage: Storage, wants: [ObjectID], haves: [ObjectID]) throws -> [UInt8] {
        let handle = RepositoryHandle(repository: repository, storage: storage)
        for want in wants where try !handle.objects.contains(want) {
            throw GitProtocolError.notOurRef(want.hex)
        }
        let common = try haves.filter { try handle.objects.contains($0) }
        let objects = handle.objects
        let walk = try ReachabilityWalker.objectsAndClientObjects(
            reachableFrom: wants, excluding: common, load: handle.load, exists: objects.contains, links: handle.commitNode,
            blobSize: { try objects.get($0)?.size })
        return try PackProducer(ids: walk.objects, objects: objects, thinBases: walk.clientHas).all()
    }

    /// Stores a pack from a peer in `repository` (its objects' ids are checked on the way
    /// in, as a push's are) with their commit graph entries, then syncs the write-ahead
    /// log, so the objects survive a crash once this returns.
    static func importPack(_ pack: [UInt8], into repository: Repository, storage: Storage, temporaryDirectory: String) throws {
        let path = temporaryDirectory + "/cluster-\(UUID().uuidString).pack"
        try Data(pack).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let objects = storage.objects(repository)
        var importer = ObjectImporter(objects: objects)
        var inspected = PushedObjects(strict: false)
        _ = try PackReader(path: path).readPackedObjects(
            externalBase: { try objects.loadRaw($0) },
            inspect: { try inspected.inspect($0, type: $1, body: $2) },
            visit: { try importer.add($0, body: $1) })
        try importer.flush()
        try storage.commitGraph(repository).add(inspected.commits)
        try syncDurably(storage)
    }

    /// One synced write: the write-ahead log is one sequence, so everything written before is on disk too.
    static func syncDurably(_ storage: Storage) throws {
        var batch = WriteBatch()
        batch.durable = true
        batch.put(Array("cluster/synced".utf8), Array(String(Date().timeIntervalSince1970).utf8), in: .metadata)
        try storage.store.write(batch)
    }
}
