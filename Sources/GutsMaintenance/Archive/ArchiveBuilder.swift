import Foundation
import GutsCompression
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

    /// The archive of `commit` with every path under `prefix/` (no prefix when empty),
    /// whole in memory (small archives and tests; the node streams with `write`).
    public func build(commit: ObjectID, format: ArchiveFormat, prefix: String, now: Date = Date()) throws -> [UInt8] {
        var out: [UInt8] = []
        try write(commit: commit, format: format, prefix: prefix, substitution: substitution(for: commit, now: now)) { out += $0 }
        return out
    }

    /// Writes the archive of `commit` to `path` (created or truncated).
    func write(commit: ObjectID, format: ArchiveFormat, prefix: String, substitution: ExportSubstitution, toFile path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw AdminError.failed("cannot write an archive file (is the disk full?)")
        }
        defer { try? handle.close() }
        do {
            try write(commit: commit, format: format, prefix: prefix, substitution: substitution) { try handle.write(contentsOf: $0) }
        } catch let error as AdminError {
            throw error
        } catch {
            throw AdminError.failed("cannot write an archive file: \(error)")
        }
    }

    /// What `export-subst` files of `commit`'s tree expand against, with relative dates
    /// measured from `now`.
    func substitution(for commit: ObjectID, now: Date) throws -> ExportSubstitution {
        guard let object = try objects.load(commit), object.type == .commit else {
            throw AdminError.notFound("commit \(commit.hex)")
        }
        let parsed = try Commit(parsing: object.body)
        return ExportSubstitution(
            commit: parsed, id: commit, now: Int64(now.timeIntervalSince1970.rounded(.down)),
            abbreviation: { [objects] in ExportSubstitution.automaticAbbreviation(objects: (try? objects.countWithoutValues()) ?? 0) },
            decorations: { [self] in (try? decorations(of: commit)) ?? [] })
    }

    /// `%D` of `commit`: every ref peeled, as `ExportSubstitution.decorations` wants them.
    func decorations(of commit: ObjectID) throws -> [String] {
        var peeled: [(name: String, peeled: ObjectID?, throughTag: Bool)] = []
        for ref in try refs.list(prefix: "refs/") {
            var current = ref.id
            var throughTag = false
            for _ in 0..<64 {
                guard let object = try objects.load(current), object.type == .tag, let tag = try? Tag(parsing: object.body) else { break }
                current = tag.object
                throughTag = true
            }
            peeled.append((ref.name, current, throughTag))
        }
        return ExportSubstitution.decorations(of: commit, refs: peeled, head: try refs.head())
    }

    /// Produces the archive of `commit` a chunk at a time: memory holds one blob and about
    /// `chunkBytes` of output, whatever the size of the tree. Paths the tree's
    /// `.gitattributes` mark `export-ignore` are left out and files marked `export-subst`
    /// get their `$Format:...$` placeholders expanded, as `git archive` does.
    public func write(commit: ObjectID, format: ArchiveFormat, prefix: String, chunkBytes: Int = 256 << 10, now: Date = Date(), to sink: ([UInt8]) throws -> Void) throws {
        try write(commit: commit, format: format, prefix: prefix, chunkBytes: chunkBytes, substitution: substitution(for: commit, now: now), to: sink)
    }

    func write(commit: ObjectID, format: ArchiveFormat, prefix: String, chunkBytes: Int = 256 << 10, substitution: ExportSubstitution, to sink: ([UInt8]) throws -> Void) throws {
        let parsed = substitution.commit
        let time = parsed.committer.time
        var base = Array(prefix.utf8)
        while base.last == UInt8(ascii: "/") { base.removeLast() }
        switch format {
        case .tar, .tarGz:
            let gzip = format == .tarGz ? try GzipStream() : nil
            func emit(_ bytes: [UInt8]) throws {
                guard !bytes.isEmpty else { return }
                try sink(try gzip?.compress(bytes) ?? bytes)
            }
            var writer = TarWriter(commit: commit, mtime: time)
            try walk(tree: parsed.tree, base: base, substitution: substitution) { path, mode, id, content in
                writer.append(path: path, mode: mode, id: id, content: content)
                if writer.bytes.count >= chunkBytes { try emit(writer.take()) }
            }
            try emit(writer.finish())
            if let gzip { try sink(try gzip.finish()) }
        case .zip:
            var writer = ZipWriter(mtime: time)
            try walk(tree: parsed.tree, base: base, substitution: substitution) { path, mode, _, content in
                try writer.append(path: path, mode: mode, content: content)
                let chunk = writer.take()
                if !chunk.isEmpty { try sink(chunk) }
            }
            try sink(try writer.finish(comment: Array(commit.hex.utf8)))
        }
    }

    /// Calls `emit` for every entry in archive order; paths have no trailing slash.
    func walk(
        tree root: ObjectID, base: [UInt8], substitution: ExportSubstitution?,
        emit: (_ path: [UInt8], _ mode: FileMode, _ id: ObjectID, _ content: [UInt8]) throws -> Void
    ) throws {
        if !base.isEmpty { try emit(base, .directory, root, []) }
        /// Directories entered but not yet written, outermost first.
        var pending: [(path: [UInt8], id: ObjectID)] = []
        var attributes = ExportAttributes()
        let attributesName = Array(".gitattributes".utf8)

        /// `path` is the archive path; `treePath` the same path inside the tree (no prefix).
        func visit(_ treeID: ObjectID, path: [UInt8], treePath: [UInt8], depth: Int) throws {
            guard depth < 4096 else { throw AdminError.failed("tree nesting too deep at \(String(decoding: path, as: UTF8.self))") }
            guard let object = try objects.load(treeID), object.type == .tree else { throw AdminError.notFound("tree \(treeID.hex)") }
            let entries = try Tree(parsing: object.body).entries
            let pushed = attributes.files.count
            if let file = entries.first(where: { $0.name == attributesName && $0.mode != .directory && $0.mode != .gitlink && $0.mode != .symlink }),
               let blob = try objects.load(file.id), blob.type == .blob {
                attributes.push(directory: treePath, content: blob.body)
            }
            defer { while attributes.files.count > pushed { attributes.removeLast() } }
            for entry in entries {
                let entryPath = path.isEmpty ? entry.name : path + [UInt8(ascii: "/")] + entry.name
                let entryTreePath = treePath.isEmpty ? entry.name : treePath + [UInt8(ascii: "/")] + entry.name
                if entry.mode == .directory {
                    if attributes.isIgnored(entryTreePath, isDirectory: true) { continue }
                    pending.append((entryPath, entry.id))
                    try visit(entry.id, path: entryPath, treePath: entryTreePath, depth: depth + 1)
                    if pending.last?.path == entryPath { pending.removeLast() }
                    continue
                }
                // As in git, the directories above are written before the entry's own
                // export-ignore is looked at.
                for directory in pending { try emit(directory.path, .directory, directory.id, []) }
                pending.removeAll()
                if attributes.isIgnored(entryTreePath, isDirectory: false) { continue }
                if entry.mode == .gitlink {
                    try emit(entryPath, .gitlink, entry.id, [])
                } else {
                    guard let blob = try objects.loadBypassingCache(entry.id), blob.type == .blob else {
                        throw AdminError.notFound("blob \(entry.id.hex)")
                    }
                    var content = blob.body
                    if let substitution, entry.mode != .symlink, attributes.isSubstituted(entryTreePath) { content = substitution.apply(content) }
                    try emit(entryPath, entry.mode, entry.id, content)
                }
            }
        }
        try visit(root, path: base, treePath: [], depth: 0)
    }
}
