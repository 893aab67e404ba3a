import GutsGit
import GutsStorage

/// Builds tar, tar.gz and zip archives of a commit from a repository's object store.
///
/// Entries come in git's order: the prefix directory, then a depth-first walk of the
/// tree in tree order where a directory is written only just before the first
/// non-directory entry beneath it (so trees without files yield nothing, as in git).
public struct ArchiveBuilder: Sendable {
    /// A commit to archive, resolved from a ref.
    public struct Target: Sendable, Equatable {
        public var commit: ObjectID
        /// The ref was a full object id, so the archive can never change.
        public var immutable: Bool
    }

    public let objects: ObjectStore
    public let refs: RefStore

    public init(objects: ObjectStore, refs: RefStore) {
        self.objects = objects
        self.refs = refs
    }

    public init(storage: Storage, repository: Repository) {
        self.init(objects: storage.objects(repository), refs: storage.refs(repository))
    }

    /// Resolves a full object id, a branch, a tag, a full ref name or `HEAD` to a commit.
    public func resolve(_ ref: String) throws -> Target {
        if ref.utf8.count == 40, let id = ObjectID(hex: ref) {
            guard try objects.contains(id) else { throw AdminError.notFound("object \(id.hex)") }
            return Target(commit: try peel(id), immutable: true)
        }
        let candidates = ref == "HEAD" ? ["HEAD"] : ["refs/heads/\(ref)", "refs/tags/\(ref)", ref].filter(RefName.isValid)
        for candidate in candidates {
            if let id = (try? refs.get(candidate)) ?? nil {
                return Target(commit: try peel(id), immutable: false)
            }
        }
        throw AdminError.notFound("ref \(ref.prefix(200))")
    }

    /// Follows tags to the commit they point at.
    func peel(_ id: ObjectID) throws -> ObjectID {
        var current = id
        for _ in 0..<64 {
            guard let object = try objects.load(current) else { throw AdminError.notFound("object \(current.hex)") }
            switch object.type {
            case .commit: return current
            case .tag: current = try Tag(parsing: object.body).object
            default: throw AdminError.usage("\(id.hex) does not name a commit")
            }
        }
        throw AdminError.failed("tag chain at \(id.hex) too long")
    }

    /// The archive of `commit` with every path under `prefix/` (no prefix when empty).
    public func build(commit: ObjectID, format: ArchiveFormat, prefix: String) throws -> [UInt8] {
        guard let object = try objects.load(commit), object.type == .commit else {
            throw AdminError.notFound("commit \(commit.hex)")
        }
        let parsed = try Commit(parsing: object.body)
        let time = parsed.committer.time
        var base = Array(prefix.utf8)
        while base.last == UInt8(ascii: "/") { base.removeLast() }
        switch format {
        case .tar, .tarGz:
            var writer = TarWriter(commit: commit, mtime: time)
            try walk(tree: parsed.tree, base: base) { path, mode, id, content in
                writer.append(path: path, mode: mode, id: id, content: content)
            }
            let tar = writer.finish()
            return format == .tar ? tar : try Zlib.compress(tar, level: 6, format: .gzip)
        case .zip:
            var writer = ZipWriter(mtime: time)
            try walk(tree: parsed.tree, base: base) { path, mode, _, content in
                try writer.append(path: path, mode: mode, content: content)
            }
            return try writer.finish(comment: Array(commit.hex.utf8))
        }
    }

    /// Calls `emit` for every entry in archive order; paths have no trailing slash.
    func walk(
        tree root: ObjectID, base: [UInt8],
        emit: (_ path: [UInt8], _ mode: FileMode, _ id: ObjectID, _ content: [UInt8]) throws -> Void
    ) throws {
        if !base.isEmpty { try emit(base, .directory, root, []) }
        /// Directories entered but not yet written, outermost first.
        var pending: [(path: [UInt8], id: ObjectID)] = []

        func visit(_ treeID: ObjectID, path: [UInt8], depth: Int) throws {
            guard depth < 4096 else { throw AdminError.failed("tree nesting too deep at \(String(decoding: path, as: UTF8.self))") }
            guard let object = try objects.load(treeID), object.type == .tree else { throw AdminError.notFound("tree \(treeID.hex)") }
            for entry in try Tree(parsing: object.body).entries {
                let entryPath = path.isEmpty ? entry.name : path + [UInt8(ascii: "/")] + entry.name
                if entry.mode == .directory {
                    pending.append((entryPath, entry.id))
                    try visit(entry.id, path: entryPath, depth: depth + 1)
                    if pending.last?.path == entryPath { pending.removeLast() }
                    continue
                }
                for directory in pending { try emit(directory.path, .directory, directory.id, []) }
                pending.removeAll()
                if entry.mode == .gitlink {
                    try emit(entryPath, .gitlink, entry.id, [])
                } else {
                    guard let blob = try objects.load(entry.id), blob.type == .blob else {
                        throw AdminError.notFound("blob \(entry.id.hex)")
                    }
                    try emit(entryPath, entry.mode, entry.id, blob.body)
                }
            }
        }
        try visit(root, path: base, depth: 0)
    }
}
