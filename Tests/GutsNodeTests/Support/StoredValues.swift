import Foundation
import GutsGit
import GutsStorage

/// Direct edits of a stopped node's RocksDB, to damage it the way a disk would.
enum StoredValues {
    /// The `objects` key of `id` in the repository named `repository`.
    static func key(_ storage: Storage, repository: String, id: ObjectID) throws -> [UInt8] {
        guard let record = try storage.repositories.get(name: repository) else { throw CocoaError(.fileNoSuchFile) }
        return (0..<8).map { UInt8(truncatingIfNeeded: record.id >> UInt64(56 - 8 * $0)) } + id.bytes
    }

    /// Opens the data dir's database, runs `body`, closes it.
    static func edit<T>(dataDirectory: String, _ body: (Storage) throws -> T) throws -> T {
        let storage = try Storage.open(dataDirectory: dataDirectory + "/db")
        defer { storage.close() }
        return try body(storage)
    }

    /// Flips bits in the last bytes of the stored value of `id` (its zlib stream's end).
    static func flipBytes(dataDirectory: String, repository: String, id: ObjectID) throws {
        try edit(dataDirectory: dataDirectory) { storage in
            let key = try key(storage, repository: repository, id: id)
            guard var value = try storage.store.get(key, in: .objects), value.count > 4 else { throw CocoaError(.fileReadCorruptFile) }
            for offset in (value.count - 3)..<value.count { value[offset] ^= 0x5A }
            try storage.store.put(key, value, in: .objects)
        }
    }

    static func delete(dataDirectory: String, repository: String, id: ObjectID) throws {
        try edit(dataDirectory: dataDirectory) { storage in
            try storage.store.delete(try key(storage, repository: repository, id: id), in: .objects)
        }
    }
}
