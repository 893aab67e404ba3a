import Foundation
import GutsStorage

/// Manual RocksDB compaction in ranges, with before/after measurements.
///
/// Keys of `objects` and `refs` start with the 8-byte big-endian repository id, so the
/// key space is cut into `rangesPerFamily` slices of repository ids; `maxDuration` is
/// checked between slices (a running RocksDB compaction cannot be interrupted).
public struct Compactor: Sendable {
    public let storage: Storage
    public var rangesPerFamily = 8
    /// Replaces the RocksDB stall check (tests simulate stalls with it).
    public var stallProbe: (@Sendable () -> String?)?

    public init(storage: Storage) {
        self.storage = storage
    }

    var rocksDB: RocksDBStore {
        get throws {
            guard let rocksDB = storage.rocksDB else { throw AdminError.usage("compaction needs RocksDB storage") }
            return rocksDB
        }
    }

    /// Why writes are stalled right now, or nil when they flow freely.
    public func writeStall() -> String? {
        if let stallProbe { return stallProbe() }
        for family in ColumnFamily.allCases {
            if storage.property("rocksdb.is-write-stopped", in: family) == "1" {
                return "RocksDB writes are stopped (\(family.rawValue))"
            }
        }
        if let rate = storage.property("rocksdb.actual-delayed-write-rate", in: .objects).flatMap(Int.init), rate > 0 {
            return "RocksDB is delaying writes (rate \(rate) B/s)"
        }
        return nil
    }

    /// The current shape of `families`.
    public func state(_ families: [ColumnFamily]) throws -> [CompactionReport.FamilyState] {
        let files = try rocksDB.liveFiles()
        return families.map { family in
            let mine = files.filter { $0.family == family.rawValue }
            let levels = (mine.map(\.level).max() ?? 0) + 1
            var filesPerLevel = [Int](repeating: 0, count: max(levels, 7))
            var bytesPerLevel = filesPerLevel
            for file in mine {
                filesPerLevel[file.level] += 1
                bytesPerLevel[file.level] += file.bytes
            }
            return CompactionReport.FamilyState(
                family: family.rawValue,
                liveDataBytes: storage.property("rocksdb.estimate-live-data-size", in: family).flatMap(Int.init) ?? 0,
                pendingCompactionBytes: storage.property("rocksdb.estimate-pending-compaction-bytes", in: family).flatMap(Int.init) ?? 0,
                sstFiles: mine.count, sstBytes: mine.reduce(0) { $0 + $1.bytes },
                filesPerLevel: filesPerLevel, bytesPerLevel: bytesPerLevel)
        }
    }

    /// Object-level work `compact` does before compacting RocksDB.
    public struct ObjectWork: Sendable {
        /// Prune objects unreachable for this many seconds (`--prune-unreachable`).
        public var pruneGrace: TimeInterval?
        /// Deltify objects stored whole (`--repack`).
        public var repack = false
        /// Repositories to prune and repack; all when empty.
        public var repositories: [String] = []
        /// Stored bytes read per second (online runs).
        public var bytesPerSecond: Double?
        public var progress: @Sendable (String) -> Void = { _ in }

        public init(pruneGrace: TimeInterval? = nil, repack: Bool = false) {
            self.pruneGrace = pruneGrace
            self.repack = repack
        }
    }

    /// Prunes, then repacks (as `work` asks), then compacts `families` (all when empty),
    /// refusing with `AdminError.writeStalled` while writes stall and stopping between
    /// ranges once `maxDuration` seconds have passed.
    public func run(families requested: [ColumnFamily], maxDuration: TimeInterval? = nil, objects work: ObjectWork = ObjectWork()) throws -> CompactionReport {
        let families = requested.isEmpty ? ColumnFamily.allCases : requested
        if let stall = writeStall() { throw AdminError.writeStalled(stall) }
        var pruned: Pruner.Report?
        var repacked: Repacker.Report?
        if let grace = work.pruneGrace {
            var pruner = Pruner(storage: storage, grace: grace)
            pruner.repositories = work.repositories
            pruner.bytesPerSecond = work.bytesPerSecond
            pruner.progress = work.progress
            pruned = try pruner.run()
        }
        if work.repack {
            var repacker = Repacker(storage: storage)
            repacker.repositories = work.repositories
            repacker.bytesPerSecond = work.bytesPerSecond
            repacker.progress = work.progress
            repacked = try repacker.run()
        }
        var report = try compact(families, maxDuration: maxDuration)
        report.prune = pruned
        report.repack = repacked
        return report
    }

    private func compact(_ families: [ColumnFamily], maxDuration: TimeInterval? = nil) throws -> CompactionReport {
        let rocksDB = try rocksDB
        try rocksDB.flush()
        let before = try state(families)
        let start = Date()
        let ranges = try families.flatMap { family in try self.ranges(for: family).map { (family, $0.start, $0.end) } }
        var compacted = 0
        for (family, lower, upper) in ranges {
            if let maxDuration, compacted > 0, Date().timeIntervalSince(start) >= maxDuration { break }
            try rocksDB.compact(family, from: lower, to: upper)
            compacted += 1
        }
        let seconds = Date().timeIntervalSince(start)
        return CompactionReport(
            families: families.map(\.rawValue), before: before, after: try state(families),
            rangesCompacted: compacted, rangesSkipped: ranges.count - compacted, seconds: seconds)
    }

    /// Slices of the key space of `family`: whole `metadata`, repository-id slices otherwise.
    func ranges(for family: ColumnFamily) throws -> [(start: [UInt8]?, end: [UInt8]?)] {
        guard family != .metadata else { return [(nil, nil)] }
        let last = try storage.repositories.list(limit: Int.max).map(\.id).max() ?? 0
        let slices = UInt64(max(1, min(rangesPerFamily, Int(min(last, UInt64(Int.max))))))
        guard slices > 1 else { return [(nil, nil)] }
        var bounds: [[UInt8]?] = [nil]
        for index in 1..<slices {
            let id = (last + 1) * index / slices
            bounds.append((0..<8).reversed().map { UInt8(truncatingIfNeeded: id >> (UInt64($0) * 8)) })
        }
        bounds.append(nil)
        return (0..<(bounds.count - 1)).map { (bounds[$0], bounds[$0 + 1]) }
    }
}
