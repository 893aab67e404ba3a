import GutsGit
import GutsStorage

/// Writes a pack of stored objects chunk by chunk, copying each object's stored zlib
/// bytes into the pack instead of recompressing.
///
/// Not thread-safe: one request drives it, one chunk at a time (each chunk is produced
/// on the blocking pool and awaited before the next), which is why `@unchecked Sendable` holds.
final class PackProducer: @unchecked Sendable {
    private var writer: PackWriter
    private var nextIndex = 0
    private var finished = false
    private let ids: [ObjectID]
    private let objects: ObjectStore
    private(set) var bytesProduced = 0

    init(ids: [ObjectID], objects: ObjectStore) {
        self.ids = ids
        self.objects = objects
        self.writer = PackWriter(objectCount: ids.count)
    }

    var objectCount: Int { ids.count }

    /// The next stretch of pack bytes (about `targetBytes`), or nil once the trailer has been returned.
    func nextChunk(targetBytes: Int = 1 << 20) throws -> [UInt8]? {
        guard !finished else { return nil }
        var chunk = writer.takeOutput()
        while chunk.count < targetBytes && nextIndex < ids.count {
            let id = ids[nextIndex]
            guard let stored = try objects.get(id) else { throw PackProducerError.missingObject(id) }
            _ = writer.addCompressed(type: stored.type, size: stored.size, compressed: stored.compressed)
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
}

enum PackProducerError: Error, CustomStringConvertible {
    case missingObject(ObjectID)

    var description: String {
        switch self {
        case .missingObject(let id): "object \(id.hex) is missing from storage"
        }
    }
}
