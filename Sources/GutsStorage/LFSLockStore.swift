import Foundation

/// A Git LFS file lock: one path of one repository, held by one owner.
public struct LFSLock: Codable, Sendable, Equatable {
    public var id: UInt64
    public var path: String
    public var lockedAt: Date
    /// The name of the token that took the lock.
    public var owner: String
}

/// LFS locks of every repository, in `metadata`:
/// `lfslock/id/<repository id BE 8><lock id BE 8>` → JSON `LFSLock`,
/// `lfslock/path/<repository id BE 8><path>` → lock id (so a path is locked at most once),
/// `counter/lfslock` → last issued id. Changes are serialized by one lock and each is one
/// write batch.
public final class LFSLockStore: Sendable {
    static let idPrefix = Array("lfslock/id/".utf8)
    static let pathPrefix = Array("lfslock/path/".utf8)
    static let counterKey = Array("counter/lfslock".utf8)
    /// Longest path a lock may name, in bytes.
    public static let maxPathBytes = 4096

    let store: any KeyValueStore
    private let lock = StorageLock()

    public init(store: any KeyValueStore) {
        self.store = store
    }

    static func idKey(_ repositoryID: UInt64, _ id: UInt64) -> [UInt8] { idPrefix + KeyCoding.bigEndian(repositoryID) + KeyCoding.bigEndian(id) }
    static func pathKey(_ repositoryID: UInt64, _ path: String) -> [UInt8] { pathPrefix + KeyCoding.bigEndian(repositoryID) + Array(path.utf8) }

    /// What `create` did.
    public enum Creation: Sendable, Equatable {
        case created(LFSLock)
        /// The path was already locked, by this lock.
        case exists(LFSLock)
    }

    public func create(repositoryID: UInt64, path: String, owner: String, now: Date = Date()) throws -> Creation {
        try lock.withLock {
            if let existing = try store.get(Self.pathKey(repositoryID, path), in: .metadata).flatMap(KeyCoding.decodeBigEndian),
               let found = try get(repositoryID: repositoryID, id: existing) {
                return .exists(found)
            }
            let id = (try store.get(Self.counterKey, in: .metadata).flatMap(KeyCoding.decodeBigEndian) ?? 0) + 1
            let created = LFSLock(id: id, path: path, lockedAt: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)), owner: owner)
            var batch = WriteBatch()
            batch.durable = true
            batch.put(Self.counterKey, KeyCoding.bigEndian(id), in: .metadata)
            batch.put(Self.idKey(repositoryID, id), try Self.encode(created), in: .metadata)
            batch.put(Self.pathKey(repositoryID, path), KeyCoding.bigEndian(id), in: .metadata)
            try store.write(batch)
            return .created(created)
        }
    }

    public func get(repositoryID: UInt64, id: UInt64) throws -> LFSLock? {
        try store.get(Self.idKey(repositoryID, id), in: .metadata).map(Self.decode)
    }

    /// Locks in id order after the lock `after`, at most `limit`, optionally only the one on `path`.
    public func list(repositoryID: UInt64, path: String? = nil, after: UInt64? = nil, limit: Int) throws -> [LFSLock] {
        if let path {
            guard let id = try store.get(Self.pathKey(repositoryID, path), in: .metadata).flatMap(KeyCoding.decodeBigEndian),
                  let found = try get(repositoryID: repositoryID, id: id), after.map({ id > $0 }) ?? true else { return [] }
            return [found]
        }
        let prefix = Self.idPrefix + KeyCoding.bigEndian(repositoryID)
        return try store.scan(prefix: prefix, in: .metadata, startingAfter: after.map { prefix + KeyCoding.bigEndian($0) }, limit: limit)
            .map { try Self.decode($0.value) }
    }

    /// Removes a lock; nil when there was none with that id.
    @discardableResult
    public func delete(repositoryID: UInt64, id: UInt64) throws -> LFSLock? {
        try lock.withLock {
            guard let found = try get(repositoryID: repositoryID, id: id) else { return nil }
            var batch = WriteBatch()
            batch.durable = true
            batch.delete(Self.idKey(repositoryID, id), in: .metadata)
            batch.delete(Self.pathKey(repositoryID, found.path), in: .metadata)
            try store.write(batch)
            return found
        }
    }

    /// Adds the removal of every lock of a repository to `batch` (it is being deleted).
    static func deleteAll(repositoryID: UInt64, in batch: inout WriteBatch) {
        batch.deletePrefix(idPrefix + KeyCoding.bigEndian(repositoryID), in: .metadata)
        batch.deletePrefix(pathPrefix + KeyCoding.bigEndian(repositoryID), in: .metadata)
    }

    private static func encode(_ lock: LFSLock) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(lock))
    }

    private static func decode(_ value: [UInt8]) throws -> LFSLock {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(LFSLock.self, from: Data(value))
        } catch {
            throw StorageError.corruptValue(key: "lfs lock", reason: "\(error)")
        }
    }
}
