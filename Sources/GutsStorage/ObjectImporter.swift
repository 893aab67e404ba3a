import GutsCompression
import GutsGit

/// Stores the objects of a pack the way the pack encoded them, in write batches.
///
/// A pack entry's zlib stream is kept as it is: whole objects are not recompressed,
/// and deltas stay deltas against their base (which must already be stored, or be added
/// earlier by this importer, as pack order guarantees). A delta is stored whole instead
/// when its chain would grow past `ObjectStore.maxDeltaDepth`, when its base is missing,
/// or when the store's schema predates deltas. Objects the repository already has are skipped.
public struct ObjectImporter {
    public let objects: ObjectStore
    /// Values are written in batches of about this many compressed bytes.
    public var batchBytes: Int
    /// Objects this importer stored (or has pending), in the order they came.
    public private(set) var added: [ObjectID] = []
    /// The type of each added object, so a walk over them need not read a blob.
    public private(set) var addedTypes: [ObjectID: ObjectType] = [:]
    /// Entries stored as deltas so far.
    public private(set) var deltaCount = 0
    private var depths: [ObjectID: Int] = [:]
    private var pending: [StoredObject] = []
    private var pendingBytes = 0

    public init(objects: ObjectStore, batchBytes: Int = 8 << 20) {
        self.objects = objects
        self.batchBytes = batchBytes
    }

    /// Queues one object, writing a batch when enough bytes are pending. `body` is asked
    /// for only when a delta must be stored whole.
    public mutating func add(_ packed: PackedObject, body: () throws -> [UInt8]) throws {
        let id = packed.id
        guard depths[id] == nil, try !objects.contains(id) else { return }
        var stored: StoredObject
        switch packed.encoding {
        case let .delta(base, instructionsSize, compressed):
            if let depth = try deltaDepth(ofBase: base, for: id) {
                stored = StoredObject(id: id, type: packed.type, size: packed.size, compressed: compressed,
                                      delta: .init(base: base, depth: depth, instructionsSize: instructionsSize))
                deltaCount += 1
            } else {
                stored = StoredObject(id: id, type: packed.type, size: packed.size, compressed: try Zlib.compress(try body()))
            }
        case let .whole(compressed):
            stored = StoredObject(id: id, type: packed.type, size: packed.size, compressed: compressed)
        }
        depths[id] = stored.delta?.depth ?? 0
        added.append(id)
        addedTypes[id] = packed.type
        pending.append(stored)
        pendingBytes += stored.compressed.count
        if pendingBytes >= batchBytes { try flush() }
    }

    /// The depth a delta against `base` would have, or nil when it must be stored whole.
    private func deltaDepth(ofBase base: ObjectID, for id: ObjectID) throws -> Int? {
        guard objects.storesDeltas, base != id else { return nil }
        let baseDepth: Int
        if let known = depths[base] {
            baseDepth = known
        } else if let stored = try objects.get(base) {
            baseDepth = stored.delta?.depth ?? 0
        } else {
            return nil
        }
        return baseDepth < ObjectStore.maxDeltaDepth ? baseDepth + 1 : nil
    }

    /// Writes whatever is pending.
    public mutating func flush() throws {
        guard !pending.isEmpty else { return }
        try objects.write(pending)
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }

    /// Removes every object this importer added (a refused push).
    public mutating func rollBack() throws {
        pending.removeAll()
        pendingBytes = 0
        if !added.isEmpty { try objects.delete(added) }
        added.removeAll()
        addedTypes.removeAll()
        depths.removeAll()
    }
}
