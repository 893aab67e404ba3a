import Foundation
import GutsGit
import GutsStorage
import Synchronization

/// Built archives kept on disk under `<data-dir>/archives/<repository id>/`, one file per
/// (commit, format, prefix), so every archive is built once.
///
/// Concurrent requests for the same archive share one build. Files are written to a
/// temporary name and renamed into place, so readers never see a partial archive. A hit
/// refreshes the file's modification time, which `prune` uses as its age.
public final class ArchiveCache: Sendable {
    /// What identifies one archive.
    public struct Key: Hashable, Sendable {
        public var repositoryID: UInt64
        public var commit: ObjectID
        public var format: ArchiveFormat
        public var prefix: String
        /// What the archive's `export-subst` expansions depended on besides the commit
        /// (`ExportSubstitution.fingerprint`); empty for most archives.
        public var variant: String

        public init(repositoryID: UInt64, commit: ObjectID, format: ArchiveFormat, prefix: String, variant: String = "") {
            self.repositoryID = repositoryID
            self.commit = commit
            self.format = format
            self.prefix = prefix
            self.variant = variant
        }

        /// `<commit>.<SHA-1 of prefix and variant>.<ext>`: hashed so that any prefix, of
        /// any length, makes a safe file name of fixed length.
        var fileName: String {
            var hasher = SHA1()
            hasher.update(Array(prefix.utf8))
            if !variant.isEmpty { hasher.update([0] + Array(variant.utf8)) }
            return "\(commit.hex).\(hasher.finalize().hex).\(format.fileExtension)"
        }
    }

    /// One cached archive file.
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var bytes: Int
        /// Served from the cache rather than built by this call.
        public var hit: Bool
    }

    /// The outcome of `prune`.
    public struct PruneReport: Sendable, Codable, Equatable {
        public var removedFiles: Int
        public var removedBytes: Int
        public var remainingFiles: Int
        public var remainingBytes: Int
    }

    public let directory: String
    private let inFlight = Mutex<[Key: Task<Entry, any Error>]>([:])
    private let counters = Mutex(CacheStatistics(name: "archives"))

    public init(directory: String) {
        self.directory = directory
    }

    /// `<data-dir>/archives`.
    public convenience init(dataDirectory: String) {
        self.init(directory: dataDirectory + "/archives")
    }

    public func path(for key: Key) -> String {
        "\(directory)/\(key.repositoryID)/\(key.fileName)"
    }

    /// The cached archive for `key`, building it with `build` when missing: `build`
    /// writes the archive into the file at the path it is given, which becomes the
    /// cached file once complete. Callers asking for the same key while it is being
    /// built wait for that one build.
    public func archive(_ key: Key, build: @escaping @Sendable (_ path: String) async throws -> Void) async throws -> Entry {
        let path = path(for: key)
        if let size = Self.size(of: path) {
            Self.touch(path)
            counters.withLock { $0.hits += 1 }
            return Entry(path: path, bytes: size, hit: true)
        }
        let (task, created) = inFlight.withLock { running -> (Task<Entry, any Error>, Bool) in
            if let task = running[key] { return (task, false) }
            let task = Task<Entry, any Error> { [directory] in
                let folder = (path as NSString).deletingLastPathComponent
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                let temporary = "\(directory)/.tmp-\(UUID().uuidString)"
                do {
                    try await build(temporary)
                } catch {
                    try? FileManager.default.removeItem(atPath: temporary)
                    throw error
                }
                guard let size = Self.size(of: temporary) else { throw AdminError.failed("cannot write an archive file (is the disk full?)") }
                guard rename(temporary, path) == 0 else {
                    try? FileManager.default.removeItem(atPath: temporary)
                    throw AdminError.failed("cannot move an archive file into place: \(String(cString: strerror(errno)))")
                }
                return Entry(path: path, bytes: size, hit: false)
            }
            running[key] = task
            return (task, true)
        }
        if created {
            counters.withLock { $0.misses += 1 }
        } else {
            counters.withLock { $0.hits += 1 }
        }
        defer {
            if created { _ = inFlight.withLock { $0.removeValue(forKey: key) } }
        }
        var entry = try await task.value
        if created {
            counters.withLock { $0.inserts += 1 }
        } else {
            entry.hit = true
        }
        return entry
    }

    /// What the archives of `commit` were found to depend on when one was last built
    /// (`record`); empty when nothing, or never built.
    func dependencies(repositoryID: UInt64, commit: ObjectID) -> Set<ExportSubstitution.Dependency> {
        guard let text = try? String(contentsOfFile: dependenciesPath(repositoryID: repositoryID, commit: commit), encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").compactMap { ExportSubstitution.Dependency(rawValue: String($0)) })
    }

    func record(dependencies: Set<ExportSubstitution.Dependency>, repositoryID: UInt64, commit: ObjectID) throws {
        let path = dependenciesPath(repositoryID: repositoryID, commit: commit)
        guard !dependencies.isEmpty else {
            try? FileManager.default.removeItem(atPath: path)
            return
        }
        let text = dependencies.map(\.rawValue).sorted().joined(separator: "\n")
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw AdminError.failed("cannot write \(path): \(error.localizedDescription)")
        }
    }

    func dependenciesPath(repositoryID: UInt64, commit: ObjectID) -> String {
        "\(directory)/\(repositoryID)/\(commit.hex).depends"
    }

    /// Files the archive `entry` under `key` instead.
    func move(_ entry: Entry, to key: Key) throws -> Entry {
        let target = path(for: key)
        guard rename(entry.path, target) == 0 else {
            throw AdminError.failed("cannot move an archive file into place: \(String(cString: strerror(errno)))")
        }
        return Entry(path: target, bytes: entry.bytes, hit: entry.hit)
    }

    /// Removes archives last used longer than `olderThan` seconds ago, then the least
    /// recently used ones until at most `maxBytes` remain.
    @discardableResult
    public func prune(maxBytes: Int?, olderThan: TimeInterval?, now: Date = Date()) throws -> PruneReport {
        var files = listFiles().sorted { $0.modified < $1.modified }
        var report = PruneReport(removedFiles: 0, removedBytes: 0, remainingFiles: 0, remainingBytes: 0)
        var total = files.reduce(0) { $0 + $1.bytes }
        var kept: [(path: String, bytes: Int, modified: Date)] = []
        while let file = files.first {
            files.removeFirst()
            let tooOld = olderThan.map { now.timeIntervalSince(file.modified) > $0 } ?? false
            let overBudget = maxBytes.map { total > $0 } ?? false
            if tooOld || overBudget {
                try FileManager.default.removeItem(atPath: file.path)
                total -= file.bytes
                report.removedFiles += 1
                report.removedBytes += file.bytes
            } else {
                kept.append(file)
            }
        }
        report.remainingFiles = kept.count
        report.remainingBytes = total
        counters.withLock { $0.evictions += UInt64(report.removedFiles) }
        return report
    }

    /// Counters of this process plus the files on disk now.
    public var statistics: CacheStatistics {
        let files = listFiles()
        var statistics = counters.withLock { $0 }
        statistics.entries = files.count
        statistics.bytes = files.reduce(0) { $0 + $1.bytes }
        return statistics
    }

    /// Every archive file with its size and modification time.
    func listFiles() -> [(path: String, bytes: Int, modified: Date)] {
        guard let repositories = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var files: [(path: String, bytes: Int, modified: Date)] = []
        for repository in repositories where !repository.hasPrefix(".") {
            let folder = directory + "/" + repository
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                let path = folder + "/" + name
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                      attributes[.type] as? FileAttributeType == .typeRegular else { continue }
                files.append((path, (attributes[.size] as? Int) ?? 0, (attributes[.modificationDate] as? Date) ?? .distantPast))
            }
        }
        return files
    }

    static func size(of path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    static func touch(_ path: String) {
        _ = utimes(path, nil)
    }
}
