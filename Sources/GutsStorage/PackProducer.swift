import GutsCompression
import GutsGit

/// Writes a pack of stored objects chunk by chunk, reusing what storage holds: whole
/// objects and deltas are copied as their stored zlib streams, never recompressed.
///
/// A delta-stored object goes out as
/// - an OFS_DELTA when its base is in the pack: the base is written first if it has not
///   been yet (so the pack's order is the requested order, with bases pulled forward);
/// - a REF_DELTA when the base is not in the pack but `thinBases` says the client has it
///   (a thin pack, which the client completes);
/// - otherwise a whole object, rebuilt from its chain and compressed.
///
/// Not thread-safe: one request drives it, one chunk at a time (each chunk is produced
/// on a blocking thread and awaited before the next), which is why `@unchecked Sendable` holds.
public final class PackProducer: @unchecked Sendable {
    /// What the pack was made of, for metrics and tests.
    public struct Statistics: Sendable, Equatable {
        public var whole = 0
        public var offsetDeltas = 0
        public var refDeltas = 0
        /// Delta-stored objects sent whole because their base was not available to the client.
        public var rebuilt = 0
    }

    private var writer: PackWriter
    private var nextIndex = 0
    private var finished = false
    private let ids: [ObjectID]
    private let sending: Set<ObjectID>
    private let thinBases: Set<ObjectID>
    private let offsetDeltas: Bool
    private let objects: ObjectStore
    private var offsets: [ObjectID: Int] = [:]
    public private(set) var bytesProduced = 0
    public private(set) var statistics = Statistics()

    /// - Parameters:
    ///   - ids: the objects to send (duplicates are sent once).
    ///   - thinBases: objects the client has, which deltas may name as REF_DELTA bases.
    ///   - offsetDeltas: whether the client takes OFS_DELTA (`ofs-delta`); without it,
    ///     deltas against objects in the pack go out as REF_DELTA.
    public init(ids: [ObjectID], objects: ObjectStore, thinBases: Set<ObjectID> = [], offsetDeltas: Bool = true) {
        var seen = Set<ObjectID>()
        self.ids = ids.filter { seen.insert($0).inserted }
        self.sending = seen
        self.thinBases = thinBases
        self.offsetDeltas = offsetDeltas
        self.objects = objects
        self.writer = PackWriter(objectCount: seen.count)
    }

    public var objectCount: Int { ids.count }

    /// The next stretch of pack bytes (about `targetBytes`), or nil once the trailer has been returned.
    public func nextChunk(targetBytes: Int = 1 << 20) throws -> [UInt8]? {
        guard !finished else { return nil }
        var chunk = writer.takeOutput()
        while chunk.count < targetBytes && nextIndex < ids.count {
            try write(ids[nextIndex], depth: 0)
            chunk += writer.takeOutput()
            nextIndex += 1
        }
        if nextIndex == ids.count {
            _ = writer.finish()
            chunk += writer.takeOutput()
            finished = true
        }
        bytesProduced += chunk.count
        return chunk
    }

    /// The whole pack at once (exports and tests).
    public func all() throws -> [UInt8] {
        var pack: [UInt8] = []
        while let chunk = try nextChunk() { pack += chunk }
        return pack
    }

    /// Writes `id` unless already written, writing its in-pack base first.
    private func write(_ id: ObjectID, depth: Int) throws {
        guard offsets[id] == nil else { return }
        guard let stored = try objects.get(id) else { throw PackProducerError.missingObject(id) }
        let offset: Int
        if let delta = stored.delta, sending.contains(delta.base), depth < ObjectStore.maxDeltaDepth {
            try write(delta.base, depth: depth + 1)
            if offsetDeltas {
                offset = try writer.addOffsetDelta(baseOffset: offsets[delta.base]!, instructionsSize: delta.instructionsSize, compressed: stored.compressed)  // safe: write(delta.base) just recorded its offset or threw
                statistics.offsetDeltas += 1
            } else {
                offset = writer.addRefDelta(baseID: delta.base, instructionsSize: delta.instructionsSize, compressed: stored.compressed)
                statistics.refDeltas += 1
            }
        } else if let delta = stored.delta, thinBases.contains(delta.base) {
            offset = writer.addRefDelta(baseID: delta.base, instructionsSize: delta.instructionsSize, compressed: stored.compressed)
            statistics.refDeltas += 1
        } else if stored.delta != nil {
            guard let object = try objects.load(id) else { throw PackProducerError.missingObject(id) }
            offset = writer.addCompressed(type: object.type, size: object.body.count, compressed: try Zlib.compress(object.body))
            statistics.rebuilt += 1
        } else {
            offset = writer.addCompressed(type: stored.type, size: stored.size, compressed: stored.compressed)
            statistics.whole += 1
        }
        offsets[id] = offset
    }
}

/// A pack could not be produced.
public enum PackProducerError: Error, CustomStringConvertible {
    case missingObject(ObjectID)

    public var description: String {
        switch self {
        case .missingObject(let id): "object \(id.hex) is missing from storage"
        }
    }
}
