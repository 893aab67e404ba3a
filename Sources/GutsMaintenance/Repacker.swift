import Foundation
import GutsCompression
import GutsGit
import GutsStorage

/// Deltifies objects stored whole (a schema 1 import, pushes of whole objects), choosing
/// bases the way git's `pack-objects` does: objects sorted by type, then by a hash of the
/// path they were last seen at (the last characters weigh most, so versions of one file
/// and files of one kind meet), then by size, largest first; each is tried against the
/// previous `window` objects of its type, and the smallest delta under half its size wins,
/// a smaller allowance the deeper the base (git's `max_size` scaling). Chains stay within
/// `maxDepth`.
///
/// Only objects that no stored delta depends on are rewritten, so no existing chain gets
/// longer; they keep their id and content, only their stored form changes.
public struct Repacker: Sendable {
    public struct Report: Sendable, Codable, Equatable {
        public var repositories = 0
        public var objects = 0
        /// Objects stored whole before, and how many of them became deltas.
        public var wholeBefore = 0
        public var deltified = 0
        /// Stored bytes (values) before and after.
        public var bytesBefore = 0
        public var bytesAfter = 0
        public var seconds = 0.0

        public init() {}

        public func render() -> String {
            "repacked \(repositories) repositories: \(deltified) of \(wholeBefore) whole objects deltified, "
                + "\(bytesBefore) → \(bytesAfter) stored bytes in \(String(format: "%.1f", seconds))s"
        }
    }

    public let storage: Storage
    public var repositories: [String] = []
    public var window = 10
    public var maxDepth = ObjectStore.maxDeltaDepth
    /// Objects larger than this are left whole (git's `core.bigFileThreshold`).
    public var bigFileThreshold = 512 << 20
    public var bytesPerSecond: Double?
    /// Replacements are written in batches of about this many bytes.
    public var batchBytes = 8 << 20
    public var progress: @Sendable (String) -> Void = { _ in }

    public init(storage: Storage) {
        self.storage = storage
    }

    public func run() throws -> Report {
        try RepositorySelection.run(repositories, in: storage, bytesPerSecond: bytesPerSecond, verb: "repacking", progress: progress, repack)
    }

    /// One object in the window: its body, depth and (built on first use) delta index.
    private struct WindowEntry {
        var id: ObjectID
        var type: ObjectType
        var body: [UInt8]
        var depth: Int
        var index: DeltaIndex?
    }

    func repack(_ repository: Repository, into report: inout Report, throttle: inout Throttle) throws {
        let objects = storage.objects(repository)
        let graph = try ObjectGraph(objects: objects, throttle: &throttle)
        let names = try nameHashes(tips: Array(try ObjectGraph.tips(storage.refs(repository)).values), objects: objects)
        let order = graph.nodes.map { (id: $0.key, node: $0.value, name: names[$0.key] ?? 0) }.sorted {
            if $0.node.type != $1.node.type { return $0.node.type.rawValue < $1.node.type.rawValue }
            if $0.name != $1.name { return $0.name < $1.name }
            if $0.node.size != $1.node.size { return $0.node.size > $1.node.size }
            return $0.id < $1.id
        }
        report.objects += order.count
        report.bytesBefore += graph.bytes
        var bytesAfter = graph.bytes
        var window: [WindowEntry] = []
        var pending: [StoredObject] = []
        var pendingBytes = 0
        func flush() throws {
            guard !pending.isEmpty else { return }
            guard try storage.repositories.get(id: repository.id) != nil else { throw AdminError.notFound("repository \(repository.fullName) (deleted meanwhile)") }
            try objects.replace(pending)
            pending.removeAll()
            pendingBytes = 0
        }
        for (id, node, _) in order {
            guard node.size <= bigFileThreshold, let body = try? objects.load(id)?.body else { continue }
            throttle.account(node.bytes)
            var depth = node.depth
            let isTarget = node.base == nil && !graph.bases.contains(id)
            if isTarget { report.wholeBefore += 1 }
            if isTarget, body.count > 32 {
                var best: (delta: [UInt8], slot: Int)?
                for slot in window.indices.reversed() where window[slot].type == node.type && window[slot].depth < maxDepth {
                    guard window[slot].body.count >= body.count / 32 else { continue }
                    let allowance = (body.count / 2 - ObjectID.byteCount) * (maxDepth - window[slot].depth) / maxDepth
                    let limit = min(best?.delta.count ?? Int.max, allowance)
                    guard limit > 0 else { continue }
                    if window[slot].index == nil { window[slot].index = DeltaIndex(base: window[slot].body) }
                    guard let delta = window[slot].index?.delta(to: body), delta.count < limit else { continue }
                    best = (delta, slot)
                }
                if let best {
                    let base = window[best.slot]
                    let stored = StoredObject(
                        id: id, type: node.type, size: body.count, compressed: try Zlib.compress(best.delta),
                        delta: .init(base: base.id, depth: base.depth + 1, instructionsSize: best.delta.count))
                    if stored.storedBytes < node.bytes {
                        depth = base.depth + 1
                        pending.append(stored)
                        pendingBytes += stored.storedBytes
                        bytesAfter += stored.storedBytes - node.bytes
                        report.deltified += 1
                        if pendingBytes >= batchBytes { try flush() }
                    }
                }
            }
            window.append(WindowEntry(id: id, type: node.type, body: body, depth: depth))
            if window.count > self.window { window.removeFirst() }
        }
        try flush()
        report.bytesAfter += bytesAfter
    }

    /// git's pack name hash of the path each blob and tree was first met at, walking from `tips`.
    func nameHashes(tips: [ObjectID], objects: ObjectStore) throws -> [ObjectID: UInt32] {
        var hashes: [ObjectID: UInt32] = [:]
        var commits = Set<ObjectID>()
        var pending = tips
        var trees: [(id: ObjectID, path: [UInt8])] = []
        while let id = pending.popLast() {
            guard commits.insert(id).inserted, let object = try? objects.load(id) else { continue }
            switch object.type {
            case .tag:
                if let tag = try? Tag(parsing: object.body) { pending.append(tag.object) }
            case .commit:
                guard let commit = try? Commit(parsing: object.body) else { continue }
                pending += commit.parents
                trees.append((commit.tree, []))
                while let (tree, path) = trees.popLast() {
                    guard hashes[tree] == nil else { continue }
                    hashes[tree] = Self.nameHash(path)
                    guard let body = try? objects.load(tree)?.body, let parsed = try? Tree(parsing: body) else { continue }
                    for entry in parsed.entries where entry.mode != .gitlink {
                        let entryPath = path.isEmpty ? entry.name : path + [UInt8(ascii: "/")] + entry.name
                        if entry.mode == .directory {
                            trees.append((entry.id, entryPath))
                        } else if hashes[entry.id] == nil {
                            hashes[entry.id] = Self.nameHash(entryPath)
                        }
                    }
                }
            default:
                break
            }
        }
        return hashes
    }

    /// git's `pack_name_hash`: whitespace skipped, each byte shifted in from the top, so
    /// the last sixteen or so characters decide it.
    static func nameHash(_ path: [UInt8]) -> UInt32 {
        var hash: UInt32 = 0
        for byte in path where !(byte == 0x20 || (0x09...0x0D).contains(byte)) {
            hash = (hash >> 2) &+ (UInt32(byte) << 24)
        }
        return hash
    }
}

extension Repacker.Report: RepositoryJobReport {}
