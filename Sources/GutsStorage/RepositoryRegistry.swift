import Foundation
import Synchronization

/// Creates, finds, renames and deletes repositories; records live in `metadata`.
///
/// Layout: `repo/name/<owner/name>` → id (8 bytes BE), `repo/id/<id BE 8>` → JSON
/// `Repository`, `counter/repo` → last issued id. Changes are serialized by one lock
/// and each is a single write batch.
///
/// Records are cached in memory, with the sorted list of all of them when it is small
/// enough: this registry is the only writer of its keys, and the data dir is one node's
/// alone (`StorageLock`), so every change passes through `invalidate`. A read that
/// missed the cache inserts what it read only if no change happened since it started
/// (`generation`), so a slow reader never puts back a record a writer just replaced.
public final class RepositoryRegistry: Sendable {
    static let namePrefix = Array("repo/name/".utf8)
    static let idPrefix = Array("repo/id/".utf8)
    static let counterKey = Array("counter/repo".utf8)

    let store: any KeyValueStore
    let cache: ObjectCache
    let bases: DeltaBaseCache
    private let lock = StorageLock()
    private let memory = Mutex(Memory())

    private struct Memory {
        var generation: UInt64 = 0
        var byName: [String: Repository] = [:]
        /// Every repository sorted by full name, when there are at most `listCacheLimit`.
        var all: [Repository]?
    }

    /// The most repositories whose whole sorted list is kept in memory.
    static let listCacheLimit = 10_000

    init(store: any KeyValueStore, cache: ObjectCache, bases: DeltaBaseCache) {
        self.store = store
        self.cache = cache
        self.bases = bases
    }

    static func nameKey(_ fullName: String) -> [UInt8] { namePrefix + Array(fullName.utf8) }
    static func idKey(_ id: UInt64) -> [UInt8] { idPrefix + KeyCoding.bigEndian(id) }

    private func encode(_ repository: Repository) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(repository))
    }

    private func decode(_ value: [UInt8], id: UInt64) throws -> Repository {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(Repository.self, from: Data(value))
        } catch {
            throw StorageError.corruptValue(key: "repository \(id)", reason: "\(error)")
        }
    }

    private func id(forName fullName: String) throws -> UInt64? {
        guard let value = try store.get(Self.nameKey(fullName), in: .metadata) else { return nil }
        guard let id = KeyCoding.decodeBigEndian(value) else {
            throw StorageError.corruptValue(key: "repo/name/\(fullName)", reason: "id is not 8 bytes")
        }
        return id
    }

    /// Creates a repository named `owner/name` with a fresh id and HEAD pointing at
    /// `refs/heads/<defaultBranch>`.
    @discardableResult
    public func create(
        name fullName: String, isPrivate: Bool = false, description: String = "", defaultBranch: String = "main",
        allowForcePush: Bool = true
    ) throws -> Repository {
        let (owner, name) = try RepositoryName.validate(fullName)
        let headTarget = "refs/heads/\(defaultBranch)"
        try RefName.validate(headTarget)
        return try lock.withLock {
            guard try id(forName: fullName) == nil else { throw StorageError.repositoryExists(fullName) }
            let last = try store.get(Self.counterKey, in: .metadata).flatMap(KeyCoding.decodeBigEndian) ?? 0
            let repository = Repository(
                id: last + 1, owner: owner, name: name, isPrivate: isPrivate, description: description,
                defaultBranch: defaultBranch, allowForcePush: allowForcePush,
                createdAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
            var batch = WriteBatch()
            batch.put(Self.counterKey, KeyCoding.bigEndian(repository.id), in: .metadata)
            batch.put(Self.nameKey(fullName), KeyCoding.bigEndian(repository.id), in: .metadata)
            batch.put(Self.idKey(repository.id), try encode(repository), in: .metadata)
            batch.put(RefStore.headKey(repositoryID: repository.id), Array(headTarget.utf8), in: .refs)
            try store.write(batch)
            invalidate()
            return repository
        }
    }

    /// The repository named `owner/name`, or nil.
    public func get(name fullName: String) throws -> Repository? {
        if let cached = cached(name: fullName) { return cached }
        let generation = memory.withLock { $0.generation }
        guard let id = try id(forName: fullName), let repository = try get(id: id) else { return nil }
        memory.withLock { memory in
            if memory.generation == generation { memory.byName[fullName] = repository }
        }
        return repository
    }

    /// The repository named `owner/name` if its record is in memory; reads no storage.
    public func cached(name fullName: String) -> Repository? {
        memory.withLock { $0.byName[fullName] }
    }

    /// Counts changes since this registry opened: equal generations, equal contents.
    public var generation: UInt64 { memory.withLock { $0.generation } }

    /// Whether `list` answers from memory.
    public var isListCached: Bool { memory.withLock { $0.all != nil } }

    /// A page of `list(after:limit:)` from memory, or nil when the list is not cached.
    public func cachedList(after: String? = nil, limit: Int) -> [Repository]? {
        memory.withLock { memory in
            guard let all = memory.all else { return nil }
            var start = 0
            if let after {
                // Bytewise order, as the store's keys sort.
                var high = all.count
                while start < high {
                    let middle = (start + high) / 2
                    if Array(all[middle].fullName.utf8).lexicographicallyPrecedes(Array(after.utf8)) || all[middle].fullName == after {
                        start = middle + 1
                    } else {
                        high = middle
                    }
                }
            }
            return Array(all[start..<min(all.count, start + limit)])
        }
    }

    /// Forgets what is cached; every change calls it after its write.
    private func invalidate() {
        memory.withLock { memory in
            memory.generation += 1
            memory.byName.removeAll(keepingCapacity: true)
            memory.all = nil
        }
    }

    /// Reads the whole sorted list into memory when it is small enough; returns it.
    private func loadList() throws -> [Repository]? {
        let generation = memory.withLock { $0.generation }
        let entries = try store.scan(prefix: Self.namePrefix, in: .metadata, startingAfter: nil, limit: Self.listCacheLimit + 1)
        guard entries.count <= Self.listCacheLimit else { return nil }
        let all = try entries.compactMap { entry -> Repository? in
            guard let id = KeyCoding.decodeBigEndian(entry.value) else { return nil }
            return try get(id: id)
        }
        memory.withLock { memory in
            if memory.generation == generation { memory.all = all }
        }
        return all
    }

    /// The repository with `id`, or nil.
    public func get(id: UInt64) throws -> Repository? {
        try store.get(Self.idKey(id), in: .metadata).map { try decode($0, id: id) }
    }

    /// Repositories sorted by full name (bytewise), strictly after the full name `after`.
    public func list(after: String? = nil, limit: Int) throws -> [Repository] {
        if let page = cachedList(after: after, limit: limit) { return page }
        if try loadList() != nil, let page = cachedList(after: after, limit: limit) { return page }
        let entries = try store.scan(
            prefix: Self.namePrefix, in: .metadata, startingAfter: after.map(Self.nameKey), limit: limit)
        return try entries.compactMap { entry in
            guard let id = KeyCoding.decodeBigEndian(entry.value) else { return nil }
            return try get(id: id)
        }
    }

    /// Saves changed settings of an existing repository (not its name: use `rename`).
    /// Changing `defaultBranch` also points HEAD at the new branch.
    public func update(_ repository: Repository) throws {
        _ = try modify(id: repository.id, expectedName: repository.fullName) { $0 = repository }
    }

    /// Changes the settings of the repository named `fullName` by `change`, read, changed
    /// and written under the registry's lock, so concurrent changes of different fields
    /// never undo each other. Changing `defaultBranch` also points HEAD at the new branch.
    @discardableResult
    public func modify(name fullName: String, _ change: (inout Repository) throws -> Void) throws -> Repository {
        guard let id = try lock.withLock({ try id(forName: fullName) }) else { throw StorageError.repositoryNotFound(fullName) }
        return try modify(id: id, expectedName: fullName, change)
    }

    private func modify(id: UInt64, expectedName: String, _ change: (inout Repository) throws -> Void) throws -> Repository {
        try lock.withLock {
            guard let current = try get(id: id), current.fullName == expectedName else {
                throw StorageError.repositoryNotFound(expectedName)
            }
            var repository = current
            try change(&repository)
            guard repository.id == current.id, repository.fullName == current.fullName else {
                throw StorageError.invalidRepositoryName(repository.fullName, reason: "update cannot rename; use rename(from:to:)")
            }
            try RefName.validate("refs/heads/\(repository.defaultBranch)")
            var batch = WriteBatch()
            batch.put(Self.idKey(repository.id), try encode(repository), in: .metadata)
            if current.defaultBranch != repository.defaultBranch {
                batch.put(
                    RefStore.headKey(repositoryID: repository.id), Array("refs/heads/\(repository.defaultBranch)".utf8),
                    in: .refs)
            }
            try store.write(batch)
            invalidate()
            return repository
        }
    }

    /// Renames a repository; its objects and refs are untouched (they are keyed by id).
    @discardableResult
    public func rename(from oldName: String, to newName: String) throws -> Repository {
        let (owner, name) = try RepositoryName.validate(newName)
        return try lock.withLock {
            guard let id = try id(forName: oldName), var repository = try get(id: id) else {
                throw StorageError.repositoryNotFound(oldName)
            }
            guard oldName != newName else { return repository }
            guard try self.id(forName: newName) == nil else { throw StorageError.repositoryExists(newName) }
            repository.owner = owner
            repository.name = name
            var batch = WriteBatch()
            batch.delete(Self.nameKey(oldName), in: .metadata)
            batch.put(Self.nameKey(newName), KeyCoding.bigEndian(id), in: .metadata)
            batch.put(Self.idKey(id), try encode(repository), in: .metadata)
            try store.write(batch)
            invalidate()
            return repository
        }
    }

    /// Deletes a repository with all its objects, refs, LFS locks and webhooks, in one write batch.
    public func delete(name fullName: String) throws {
        try lock.withLock {
            guard let id = try id(forName: fullName) else { throw StorageError.repositoryNotFound(fullName) }
            let prefix = KeyCoding.bigEndian(id)
            var batch = WriteBatch()
            batch.delete(Self.nameKey(fullName), in: .metadata)
            batch.delete(Self.idKey(id), in: .metadata)
            batch.deletePrefix(prefix, in: .objects)
            batch.deletePrefix(prefix, in: .refs)
            CommitGraph.deleteAll(repositoryID: id, in: &batch)
            LFSLockStore.deleteAll(repositoryID: id, in: &batch)
            try WebhookStore.deleteAll(repositoryID: id, store: store, in: &batch)
            try store.write(batch)
            invalidate()
            cache.removeAll(repository: id)
            bases.removeAll(repository: id)
        }
    }
}
