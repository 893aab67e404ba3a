import Foundation
import GutsGit
import GutsStorage

/// Resolves, builds (through the on-disk cache) and names archives; shared by the node's
/// archive routes and `guts archive`.
public struct ArchiveService: Sendable {
    /// An archive ready to send.
    public struct Served: Sendable, Equatable {
        public var entry: ArchiveCache.Entry
        public var target: ArchiveBuilder.Target
        public var format: ArchiveFormat
        /// `<name>-<ref>.<ext>` for `Content-Disposition`.
        public var fileName: String
        /// A strong ETag: the same value exactly when the bytes are the same.
        public var etag: String
        /// The bytes can never change: the ref is a commit id and nothing expanded depends
        /// on refs or the time.
        public var immutable: Bool
    }

    /// The outcome of `warm`.
    public struct WarmReport: Sendable, Codable, Equatable {
        public var archives: Int
        public var built: Int
        public var bytes: Int
        public var failures: [String]
    }

    public let storage: Storage
    public let cache: ArchiveCache
    /// Runs CPU- and storage-bound work off the caller's thread (the node passes its pool).
    public let runBlocking: @Sendable (@escaping @Sendable () throws -> Void) async throws -> Void

    public init(
        storage: Storage, cache: ArchiveCache,
        runBlocking: @escaping @Sendable (@escaping @Sendable () throws -> Void) async throws -> Void = { try $0() }
    ) {
        self.storage = storage
        self.cache = cache
        self.runBlocking = runBlocking
    }

    /// The directory every entry sits under: `<name>-<ref>`, slashes in the ref made dashes.
    public static func prefix(repositoryName: String, ref: String) -> String {
        "\(repositoryName)-\(ref.replacingOccurrences(of: "/", with: "-"))"
    }

    /// The archive of `ref` in `repository`, built at most once, or once per value of the
    /// refs and relative dates its `export-subst` files expand (`%d`, `%ar`...).
    public func archive(repository: Repository, ref: String, format: ArchiveFormat, now: Date = Date()) async throws -> Served {
        let builder = ArchiveBuilder(storage: storage, repository: repository)
        let target = try builder.resolve(ref)
        // One spelling per archive: an id in capitals names the same bytes as in lower case.
        let prefix = Self.prefix(repositoryName: repository.name, ref: target.immutable ? ref.lowercased() : ref)
        let substitution = try builder.substitution(for: target.commit, now: now)
        for _ in 0..<3 {
            let known = cache.dependencies(repositoryID: repository.id, commit: target.commit)
            var key = ArchiveCache.Key(
                repositoryID: repository.id, commit: target.commit, format: format, prefix: prefix, variant: substitution.fingerprint(known))
            var entry = try await cache.archive(key) { [runBlocking] path in
                try await runBlocking { try builder.write(commit: target.commit, format: format, prefix: prefix, substitution: substitution, toFile: path) }
            }
            if !entry.hit, substitution.used != known {
                // The first build of a commit learns what its expansions depend on: file it
                // under their values, so that later requests find it only while they hold.
                try cache.record(dependencies: substitution.used, repositoryID: repository.id, commit: target.commit)
                key.variant = substitution.fingerprint(substitution.used)
                entry = try cache.move(entry, to: key)
            } else if entry.hit, ArchiveCache.size(of: entry.path) == nil {
                continue  // a concurrent first build refiled it under its dependencies' values
            }
            let dependencies = entry.hit ? known : substitution.used
            return Served(
                entry: entry, target: target, format: format, fileName: "\(prefix).\(format.fileExtension)",
                etag: "\"\(key.fileName)\"", immutable: target.immutable && dependencies.isEmpty)
        }
        throw AdminError.failed("the archive of \(target.commit.hex) vanished while it was served (is the cache being pruned?)")
    }

    /// Builds tar.gz and zip archives of the default branch and the `tags` newest tags
    /// (by commit time) of `names`, or of every repository when `names` is empty.
    public func warm(names: [String], tags: Int, formats: [ArchiveFormat] = [.tarGz, .zip]) async throws -> WarmReport {
        var repositories: [Repository] = []
        if names.isEmpty {
            repositories = try storage.repositories.list(limit: Int.max)
        } else {
            for name in names {
                guard let repository = try storage.repositories.get(name: name) else { throw AdminError.notFound("repository \(name)") }
                repositories.append(repository)
            }
        }
        var report = WarmReport(archives: 0, built: 0, bytes: 0, failures: [])
        for repository in repositories {
            var refs: [String] = []
            if (try? storage.refs(repository).get("refs/heads/\(repository.defaultBranch)")) ?? nil != nil {
                refs.append(repository.defaultBranch)
            }
            refs += try newestTags(repository, count: tags)
            for ref in refs {
                for format in formats {
                    do {
                        let served = try await archive(repository: repository, ref: ref, format: format)
                        report.archives += 1
                        report.bytes += served.entry.bytes
                        if !served.entry.hit { report.built += 1 }
                    } catch {
                        report.failures.append("\(repository.fullName) \(ref) \(format.rawValue): \(error)")
                    }
                }
            }
        }
        return report
    }

    /// Tag names (without `refs/tags/`) sorted by their commit's time, newest first.
    func newestTags(_ repository: Repository, count: Int) throws -> [String] {
        guard count > 0 else { return [] }
        let builder = ArchiveBuilder(storage: storage, repository: repository)
        let objects = storage.objects(repository)
        var dated: [(name: String, time: Int64)] = []
        for tag in try storage.refs(repository).list(prefix: "refs/tags/") {
            guard let commit = try? builder.peel(tag.id), let object = try objects.load(commit),
                  let parsed = try? Commit(parsing: object.body) else { continue }
            dated.append((String(tag.name.dropFirst("refs/tags/".count)), parsed.committer.time))
        }
        return dated.sorted { $0.time != $1.time ? $0.time > $1.time : $0.name < $1.name }.prefix(count).map(\.name)
    }
}
