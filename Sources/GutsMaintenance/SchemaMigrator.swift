import Foundation
import GutsStorage

/// One step of the storage schema, from `from` to `from + 1`.
public struct SchemaMigration: Sendable {
    public var from: Int
    public var summary: String
    /// Rewrites the data; the migrator records the new version afterwards.
    public var apply: @Sendable (Storage) throws -> Void

    public var to: Int { from + 1 }

    public init(from: Int, summary: String, apply: @escaping @Sendable (Storage) throws -> Void) {
        self.from = from
        self.summary = summary
        self.apply = apply
    }

    /// The migrations this build knows.
    public static let all: [SchemaMigration] = [
        // Schema 2 only adds a value form, so existing data stays as it is; the version
        // mark keeps older builds (which cannot read deltas) from opening the store.
        SchemaMigration(from: 1, summary: "objects may be stored as deltas") { _ in },
        // Schema 3 reads history from a commit graph; existing commits get their entries.
        SchemaMigration(from: 2, summary: "commit graph for every repository") { storage in
            for repository in try storage.repositories.list(limit: Int.max) {
                try storage.commitGraph(repository).build(from: storage.objects(repository))
            }
        },
    ]
}

/// Moves a data directory between schema versions, offline.
///
/// Before each step it writes a RocksDB checkpoint of `<data-dir>/db` to
/// `<data-dir>/checkpoints/schema-v<from>`; a step that throws restores that checkpoint,
/// and `down` restores the checkpoint of the previous version, so the store is exactly as
/// it was before the step.
public struct SchemaMigrator: Sendable {
    /// Versions and what `up` would do.
    public struct Status: Sendable, Codable, Equatable {
        public var current: Int
        public var latest: Int
        public var pending: [String]
        public var checkpoints: [Int]
    }

    /// What `up` or `down` did (or would do, with `dryRun`).
    public struct Report: Sendable, Codable, Equatable {
        public var from: Int
        public var to: Int
        public var steps: [String]
        public var dryRun: Bool
    }

    public let dataDirectory: String
    public let migrations: [SchemaMigration]

    public init(dataDirectory: String, migrations: [SchemaMigration] = SchemaMigration.all) {
        self.dataDirectory = dataDirectory
        self.migrations = migrations
    }

    var databasePath: String { dataDirectory + "/db" }
    var checkpointRoot: String { dataDirectory + "/checkpoints" }
    func checkpointPath(_ version: Int) -> String { "\(checkpointRoot)/schema-v\(version)" }

    /// Status of an open store (used by a running node).
    public static func status(of storage: Storage, migrations: [SchemaMigration] = SchemaMigration.all, checkpoints: [Int] = []) -> Status {
        let current = storage.schemaVersion
        let latest = max(Storage.currentSchemaVersion, migrations.map(\.to).max() ?? 0)
        let pending = migrations.filter { $0.from >= current }.sorted { $0.from < $1.from }.map { "v\($0.from)→v\($0.to): \($0.summary)" }
        return Status(current: current, latest: latest, pending: pending, checkpoints: checkpoints)
    }

    public func status() throws -> Status {
        let storage = try open()
        defer { storage.close() }
        return Self.status(of: storage, migrations: migrations, checkpoints: checkpoints())
    }

    /// Versions that have a checkpoint, ascending.
    func checkpoints() -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: checkpointRoot)) ?? [])
            .compactMap { $0.hasPrefix("schema-v") ? Int($0.dropFirst("schema-v".count)) : nil }.sorted()
    }

    /// Applies every migration up to `target` (the latest when nil).
    public func up(to target: Int? = nil, dryRun: Bool = false) throws -> Report {
        var storage = try open()
        defer { storage.close() }
        let start = storage.schemaVersion
        let goal = target ?? max(start, migrations.map(\.to).max() ?? start)
        var report = Report(from: start, to: start, steps: [], dryRun: dryRun)
        var version = start
        while version < goal {
            guard let migration = migrations.first(where: { $0.from == version }) else {
                throw AdminError.failed("no migration from schema v\(version)")
            }
            report.steps.append("v\(migration.from)→v\(migration.to): \(migration.summary)")
            if !dryRun {
                let checkpoint = checkpointPath(version)
                try? FileManager.default.removeItem(atPath: checkpoint)
                try FileManager.default.createDirectory(atPath: checkpointRoot, withIntermediateDirectories: true)
                guard let rocksDB = storage.rocksDB else { throw AdminError.usage("migrations need RocksDB storage") }
                try rocksDB.checkpoint(to: checkpoint)
                do {
                    try migration.apply(storage)
                    try storage.setSchemaVersion(migration.to)
                } catch {
                    storage.close()
                    try restore(checkpoint)
                    storage = try open()
                    throw AdminError.failed("migration v\(migration.from)→v\(migration.to) failed, store restored to v\(version): \(error)")
                }
            }
            version = migration.to
        }
        report.to = version
        return report
    }

    /// Restores the checkpoint taken before the last step, one version down.
    public func down(dryRun: Bool = false) throws -> Report {
        let storage = try open()
        let current = storage.schemaVersion
        storage.close()
        let previous = current - 1
        let checkpoint = checkpointPath(previous)
        guard FileManager.default.fileExists(atPath: checkpoint) else {
            throw AdminError.failed("no checkpoint for schema v\(previous) in \(checkpointRoot)")
        }
        let report = Report(from: current, to: previous, steps: ["restore checkpoint \(checkpoint)"], dryRun: dryRun)
        if !dryRun {
            try restore(checkpoint)
            try FileManager.default.removeItem(atPath: checkpoint)
        }
        return report
    }

    /// Replaces `<data-dir>/db` with a copy of `checkpoint`.
    func restore(_ checkpoint: String) throws {
        let aside = databasePath + ".replaced-\(UUID().uuidString.prefix(8))"
        try FileManager.default.moveItem(atPath: databasePath, toPath: aside)
        do {
            try FileManager.default.copyItem(atPath: checkpoint, toPath: databasePath)
        } catch {
            try? FileManager.default.moveItem(atPath: aside, toPath: databasePath)
            throw AdminError.failed("cannot restore \(checkpoint): \(error)")
        }
        try? FileManager.default.removeItem(atPath: aside)
    }

    func open() throws -> Storage {
        var options = Storage.Options()
        options.rocksDB.createIfMissing = false
        do {
            return try Storage.open(dataDirectory: databasePath, options: options)
        } catch StorageError.dataDirectoryInUse(let path) {
            throw AdminError.jobBusy(job: "migrate", lockPath: path + "/LOCK")
        }
    }
}
