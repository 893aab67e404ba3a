import Foundation
import GutsGit
import GutsStorage

/// A backup directory: consistent, incremental backups of a data directory, taken while
/// the node serves.
///
/// Layout: `rocksdb/` is a RocksDB BackupEngine directory (SST files shared between
/// backups, each backup consistent as of its start, memtables flushed first);
/// `files/<id>/` holds the data dir's other stores (everything but `db`, the archive
/// cache, scratch space, locks and job records) with a `manifest.json` of sizes and
/// SHA-1s. A file unchanged since the previous backup (same size and modification time)
/// is hard-linked from it rather than copied.
public struct BackupStore: Sendable {
    /// One backup.
    public struct Entry: Sendable, Codable, Equatable {
        public var id: UInt32
        /// Seconds since the epoch.
        public var createdAt: Int64
        public var databaseBytes: UInt64
        public var databaseFiles: UInt32
        /// Other files of the data dir, and their bytes; nil when the backup is incomplete.
        public var files: Int?
        public var fileBytes: Int?
    }

    public struct CreateReport: Sendable, Codable, Equatable {
        public var backup: Entry
        /// Backups deleted by `--keep`.
        public var removed: [UInt32]
        /// Files copied rather than linked from the previous backup.
        public var filesCopied: Int
        public var seconds: Double
    }

    public struct VerifyReport: Sendable, Codable, Equatable {
        public var id: UInt32
        public var checkedKeys: Int
        public var checkedFiles: Int
        public var problems: [String]
        public var ok: Bool { problems.isEmpty }
    }

    /// A file of the data dir as recorded in a backup.
    struct ManifestFile: Codable, Equatable {
        var path: String
        var bytes: Int
        var modified: Double
        var mode: Int
        var sha1: String
    }

    /// Top-level entries of a data dir a backup leaves out.
    static let excluded: Set<String> = ["db", "archives", "tmp", "locks", "jobs", "node.json"]

    public let directory: String

    public init(directory: String) {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
    }

    var engineDirectory: String { directory + "/rocksdb" }
    func filesDirectory(_ id: UInt32) -> String { "\(directory)/files/\(id)" }

    /// Backs up `storage` (open on `<dataDirectory>/db`) and the data dir's other files,
    /// then keeps only the newest `keep` backups.
    public func create(storage: Storage, dataDirectory: String, keep: Int? = nil) throws -> CreateReport {
        guard let rocksDB = storage.rocksDB else { throw AdminError.usage("backup needs RocksDB storage") }
        if let keep, keep < 1 { throw AdminError.usage("--keep must be at least 1") }
        let start = Date()
        let previous = try? list().last { $0.files != nil }
        let info: RocksDBStore.BackupInfo
        do {
            info = try rocksDB.createBackup(in: engineDirectory)
        } catch {
            throw AdminError.failed("backup of RocksDB into \(engineDirectory) failed: \(error)")
        }
        let copied = try copyFiles(from: URL(fileURLWithPath: dataDirectory).standardizedFileURL.path, into: filesDirectory(info.id), previous: previous.map { filesDirectory($0.id) })
        var removed: [UInt32] = []
        if let keep {
            let before = Set(try RocksDBStore.listBackups(in: engineDirectory).map(\.id))
            try RocksDBStore.purgeBackups(in: engineDirectory, keep: keep)
            let after = Set(try RocksDBStore.listBackups(in: engineDirectory).map(\.id))
            removed = before.subtracting(after).sorted()
            for id in try existingFileBackups() where !after.contains(id) { try? FileManager.default.removeItem(atPath: filesDirectory(id)) }
        }
        guard let entry = try list().first(where: { $0.id == info.id }) else { throw AdminError.failed("backup \(info.id) vanished") }
        return CreateReport(backup: entry, removed: removed, filesCopied: copied, seconds: Date().timeIntervalSince(start))
    }

    /// A table of `entries` for people.
    public static func render(_ entries: [Entry]) -> String {
        (["id  created               database-bytes  files"] + entries.map { entry in
            let date = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(entry.createdAt)))
            return String(entry.id).padding(4) + date.padding(22) + String(entry.databaseBytes).padding(16) + (entry.files.map(String.init) ?? "incomplete")
        }).joined(separator: "\n")
    }

    /// Every backup, oldest first.
    public func list() throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: engineDirectory) else { throw AdminError.notFound("backup directory \(directory)") }
        return try RocksDBStore.listBackups(in: engineDirectory).map { info in
            let manifest = try? readManifest(info.id)
            return Entry(
                id: info.id, createdAt: info.timestamp, databaseBytes: info.bytes, databaseFiles: info.files,
                files: manifest?.count, fileBytes: manifest?.reduce(0) { $0 + $1.bytes })
        }
    }

    /// Checks backup `id` (the newest when nil) in full: RocksDB's files are restored into
    /// a scratch directory (checking each file's checksum) and every block of the result is
    /// read with checksums verified; the other files are re-hashed against the manifest.
    public func verify(id: UInt32? = nil) throws -> VerifyReport {
        let entry = try resolve(id)
        var report = VerifyReport(id: entry.id, checkedKeys: 0, checkedFiles: 0, problems: [])
        do {
            try RocksDBStore.verifyBackupFiles(in: engineDirectory, id: entry.id)
        } catch {
            report.problems.append("\(error)")
        }
        let scratch = "\(directory)/.verify-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            try RocksDBStore.restoreBackup(in: engineDirectory, id: entry.id, to: scratch)
            var options = RocksDBStore.Options()
            options.createIfMissing = false
            let store = try RocksDBStore(path: scratch, options: options)
            defer { store.close() }
            for family in ColumnFamily.allCases { report.checkedKeys += try store.verifyChecksums(family).keys }
        } catch {
            report.problems.append("database of backup \(entry.id): \(error)")
        }
        do {
            for file in try readManifest(entry.id) {
                report.checkedFiles += 1
                let path = filesDirectory(entry.id) + "/" + file.path
                guard let digest = Self.sha1(of: path) else { report.problems.append("\(file.path): missing from backup \(entry.id)"); continue }
                if digest != file.sha1 { report.problems.append("\(file.path): content changed since backup \(entry.id) was taken") }
            }
        } catch {
            report.problems.append("backup \(entry.id) has no readable file manifest (incomplete backup?)")
        }
        return report
    }

    /// Restores backup `id` (the newest when nil) into `dataDirectory`, which must be
    /// missing or empty.
    public func restore(id: UInt32? = nil, to dataDirectory: String) throws -> Entry {
        let target = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: target), !contents.isEmpty {
            throw AdminError.usage("refusing to restore into \(target): it is not empty")
        }
        let entry = try resolve(id)
        let manifest: [ManifestFile]
        do {
            manifest = try readManifest(entry.id)
        } catch {
            throw AdminError.failed("backup \(entry.id) is incomplete (no file manifest)")
        }
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        do {
            try RocksDBStore.restoreBackup(in: engineDirectory, id: entry.id, to: target + "/db")
            for file in manifest {
                let destination = target + "/" + file.path
                try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: filesDirectory(entry.id) + "/" + file.path, toPath: destination)
                try FileManager.default.setAttributes([.posixPermissions: file.mode], ofItemAtPath: destination)
            }
        } catch {
            throw AdminError.failed("restore of backup \(entry.id) into \(target) failed: \(error)")
        }
        return entry
    }

    private func resolve(_ id: UInt32?) throws -> Entry {
        let all = try list()
        if let id {
            guard let entry = all.first(where: { $0.id == id }) else { throw AdminError.notFound("backup \(id) in \(directory)") }
            return entry
        }
        guard let newest = all.last else { throw AdminError.notFound("any backup in \(directory)") }
        return newest
    }

    private func existingFileBackups() throws -> [UInt32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/files")) ?? []).compactMap(UInt32.init)
    }

    private func readManifest(_ id: UInt32) throws -> [ManifestFile] {
        let data = try Data(contentsOf: URL(fileURLWithPath: filesDirectory(id) + "/manifest.json"))
        return try JSONDecoder().decode([ManifestFile].self, from: data)
    }

    /// Copies the data dir's other files into `destination`, linking those unchanged since
    /// the backup in `previous`; writes the manifest last. Returns how many were copied.
    func copyFiles(from dataDirectory: String, into destination: String, previous: String?) throws -> Int {
        let manager = FileManager.default
        try? manager.removeItem(atPath: destination)
        try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
        var earlier: [String: ManifestFile] = [:]
        if let previous, let data = manager.contents(atPath: previous + "/manifest.json"),
           let files = try? JSONDecoder().decode([ManifestFile].self, from: data) {
            earlier = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        }
        var manifest: [ManifestFile] = []
        var copied = 0
        let backupInside = directory.hasPrefix(dataDirectory + "/") ? String(directory.dropFirst(dataDirectory.count + 1)) : nil
        for relative in (manager.enumerator(atPath: dataDirectory)?.allObjects as? [String] ?? []).sorted() {
            let top = String(relative.split(separator: "/").first ?? "")
            if Self.excluded.contains(top) || relative.hasSuffix(".log") { continue }
            if let backupInside, relative == backupInside || relative.hasPrefix(backupInside + "/") { continue }
            let source = dataDirectory + "/" + relative
            guard let attributes = try? manager.attributesOfItem(atPath: source), attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            let bytes = (attributes[.size] as? Int) ?? 0
            let modified = ((attributes[.modificationDate] as? Date) ?? .distantPast).timeIntervalSince1970
            let mode = (attributes[.posixPermissions] as? Int) ?? 0o644
            let target = destination + "/" + relative
            try manager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            if let previous, let old = earlier[relative], old.bytes == bytes, old.modified == modified,
               link(previous + "/" + relative, target) == 0 {
                manifest.append(old)
                continue
            }
            try manager.copyItem(atPath: source, toPath: target)
            guard let digest = Self.sha1(of: target) else { throw AdminError.failed("cannot read back \(target)") }
            manifest.append(ManifestFile(path: relative, bytes: bytes, modified: modified, mode: mode, sha1: digest))
            copied += 1
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard manager.createFile(atPath: destination + "/manifest.json", contents: try encoder.encode(manifest)) else {
            throw AdminError.failed("cannot write \(destination)/manifest.json")
        }
        return copied
    }

    /// Hex SHA-1 of a file's content, read in chunks; nil when unreadable.
    static func sha1(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA1()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
        return hasher.finalize().hex
    }
}
