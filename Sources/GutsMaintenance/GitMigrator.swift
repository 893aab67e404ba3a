import Foundation
import GutsGit
import GutsStorage
import Synchronization

/// Moves whole repositories between stock git and Guts storage, using `git` for the
/// git side: `import` repacks a mirror clone and stores its pack's objects as the pack
/// encodes them (deltas included) and its refs; `export` writes one pack into a fresh
/// bare repository and sets its refs.
///
/// Git LFS objects travel too, in git-lfs's own layout (`lfs/objects/aa/bb/<oid>` of the
/// git directory): `export` writes them there, and `import` takes them from a local
/// source's git directory or, for a URL, fetches them with `git lfs fetch --all`. Each is
/// checked against its SHA-256 on the way in.
public struct GitMigrator: Sendable {
    /// What an import or export moved.
    public struct Report: Sendable, Codable, Equatable {
        public var repository: String
        public var objects: Int
        public var refs: Int
        public var head: String?
        public var lfsObjects: Int
    }

    public let storage: Storage
    /// The node's LFS objects (`<data-dir>/lfs`).
    public let lfs: LFSObjectStore
    /// Called with a short progress line now and then.
    public var progress: @Sendable (String) -> Void
    /// Called with an import's ref updates after its objects are stored and before the
    /// local refs move; throwing refuses the import with them unmoved. A cluster node
    /// replicates and commits the updates here, as it does a push's.
    public var beforeRefTransaction: (@Sendable ([RefUpdate]) throws -> Void)?
    /// Runs the storage and hashing steps, which block: a node passes its job thread
    /// (`AdminContext.perform`); by default they run where the migrator is awaited. The
    /// git steps between them are awaited without holding a thread.
    public var runBlocking: @Sendable (@escaping @Sendable () throws -> Void) async throws -> Void = { try $0() }

    public init(storage: Storage, lfs: LFSObjectStore, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.storage = storage
        self.lfs = lfs
        self.progress = progress
    }

    /// Imports the repository at `source` (a path or any URL git can fetch) as `name`,
    /// creating it when missing. Objects are verified by hashing; refs are set in one
    /// transaction against their current values.
    @discardableResult
    public func importRepository(from source: String, as name: String, scratch: String) async throws -> Report {
        let mirror = scratch + "/import-\(UUID().uuidString.prefix(8)).git"
        // Objects the repository already holds are skipped; a prune must not take them meanwhile.
        let pruneEpoch = storage.pruneEpoch.current
        defer { try? FileManager.default.removeItem(atPath: mirror) }
        let (storage, lfs, progress, beforeRefTransaction) = (storage, lfs, progress, beforeRefTransaction)
        progress("cloning \(source)")
        try await GitCommand.run(["clone", "--quiet", "--mirror", source, mirror])
        let head = (try? await GitCommand.run(["symbolic-ref", "HEAD"], in: mirror))
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        let lfsDirectory = try await Self.lfsObjects(of: source, mirror: mirror, progress: progress)
        let repository = try await blocking {
            if let existing = try storage.repositories.get(name: name) { return existing }
            let branch = head.flatMap { $0.hasPrefix("refs/heads/") ? String($0.dropFirst(11)) : nil } ?? "main"
            return try storage.repositories.create(name: name, defaultBranch: branch)
        }
        progress("packing objects")
        try await GitCommand.run(["repack", "-a", "-d", "-q"], in: mirror)
        let (count, lfsCount) = try await blocking {
            let packDirectory = mirror + "/objects/pack"
            let packs = try FileManager.default.contentsOfDirectory(atPath: packDirectory).filter { $0.hasSuffix(".pack") }
            var importer = ObjectImporter(objects: storage.objects(repository))
            var count = 0
            for pack in packs {
                _ = try PackReader(path: packDirectory + "/" + pack).readPackedObjects(externalBase: { _ in nil }) { object, body in
                    try importer.add(object, body: body)
                    count += 1
                    if count % 10_000 == 0 { progress("imported \(count) objects") }
                }
            }
            try importer.flush()
            var lfsCount = 0
            if let lfsDirectory {
                for (oid, path) in Self.lfsFiles(in: lfsDirectory) {
                    try lfs.importFile(at: path, repositoryID: repository.id, oid: oid)
                    lfsCount += 1
                }
                progress("imported \(lfsCount) LFS objects")
            }
            progress("building the commit graph")
            try storage.commitGraph(repository).build(from: storage.objects(repository))
            return (count, lfsCount)
        }
        let refLines = String(decoding: try await GitCommand.run(["for-each-ref", "--format=%(objectname) %(refname)"], in: mirror), as: UTF8.self)
        let updates = try await blocking {
            let refs = storage.refs(repository)
            let current = Dictionary(try refs.list().map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
            var updates: [RefUpdate] = []
            for line in refLines.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let id = ObjectID(hex: String(parts[0])) else { continue }
                updates.append(RefUpdate(name: String(parts[1]), expected: current[String(parts[1])], new: id))
            }
            try beforeRefTransaction?(updates)
            try refs.transaction(updates, objectsCheckedAt: pruneEpoch)
            if let head, head.hasPrefix("refs/") { try refs.setHead(head) }
            return updates
        }
        progress("imported \(count) objects and \(updates.count) refs")
        return Report(repository: name, objects: count, refs: updates.count, head: head, lfsObjects: lfsCount)
    }

    /// Exports `name` into a new bare repository at `path` (which must not exist).
    @discardableResult
    public func exportRepository(_ name: String, to path: String) async throws -> Report {
        let (storage, lfs, progress) = (storage, lfs, progress)
        let (repository, pack, objectCount, list, head) = try await blocking {
            guard let repository = try storage.repositories.get(name: name) else { throw AdminError.notFound("repository \(name)") }
            guard !FileManager.default.fileExists(atPath: path) else { throw AdminError.usage("\(path) already exists") }
            let objects = storage.objects(repository)
            let refs = storage.refs(repository)
            var ids: [ObjectID] = []
            var cursor: ObjectID? = nil
            while true {
                let page = try objects.list(after: cursor, limit: 4096)
                ids += page
                guard page.count == 4096 else { break }
                cursor = page.last
            }
            progress("writing \(ids.count) objects")
            return (repository, try PackProducer(ids: ids, objects: objects).all(), ids.count, try refs.list(), try refs.head())
        }
        try await GitCommand.run(["init", "--quiet", "--bare", path])
        try await GitCommand.run(["index-pack", "--stdin"], in: path, input: pack)
        let script = list.map { "create \($0.name) \($0.id.hex)\n" }.joined()
        if !script.isEmpty { try await GitCommand.run(["update-ref", "--stdin"], in: path, input: Array(script.utf8)) }
        if let head { try await GitCommand.run(["symbolic-ref", "HEAD", head], in: path) }
        let lfsObjects = try await blocking {
            let lfsObjects = lfs.list(repositoryID: repository.id)
            for object in lfsObjects {
                let oid = Array(object.oid.utf8)
                let directory = "\(path)/lfs/objects/\(String(decoding: oid.prefix(2), as: UTF8.self))/\(String(decoding: oid.dropFirst(2).prefix(2), as: UTF8.self))"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                do {
                    try FileManager.default.copyItem(atPath: lfs.path(repositoryID: repository.id, oid: object.oid), toPath: directory + "/" + object.oid)
                } catch {
                    throw AdminError.failed("cannot copy LFS object \(object.oid): \(error.localizedDescription)")
                }
            }
            return lfsObjects.count
        }
        if lfsObjects > 0 { progress("wrote \(lfsObjects) LFS objects") }
        return Report(repository: name, objects: objectCount, refs: list.count, head: head, lfsObjects: lfsObjects)
    }

    /// `body` through `runBlocking`, with its result.
    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let result = Mutex<T?>(nil)
        try await runBlocking {
            let value = try body()
            result.withLock { $0 = value }
        }
        return result.withLock { $0! }  // safe: runBlocking returned, so body ran to its end
    }

    /// Where the LFS objects of `source` are: a local repository's `lfs/objects`, or for a
    /// URL, the mirror's after `git lfs fetch --all` (when git-lfs is installed). Nil when
    /// there are none to import.
    static func lfsObjects(of source: String, mirror: String, progress: (String) -> Void) async throws -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue {
            let candidates = [source + "/lfs/objects", source + "/.git/lfs/objects"]
            return candidates.first { FileManager.default.fileExists(atPath: $0) }
        }
        guard (try? await GitCommand.run(["lfs", "version"])) != nil else { return nil }
        progress("fetching LFS objects")
        try await GitCommand.run(["lfs", "fetch", "--all", "origin"], in: mirror)
        let fetched = mirror + "/lfs/objects"
        return FileManager.default.fileExists(atPath: fetched) ? fetched : nil
    }

    /// `(oid, path)` of every object file under an `lfs/objects` directory.
    static func lfsFiles(in directory: String) -> [(oid: String, path: String)] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [(oid: String, path: String)] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if LFSObjectStore.isValidOID(name) { found.append((name, directory + "/" + relative)) }
        }
        return found.sorted { $0.oid < $1.oid }
    }
}
