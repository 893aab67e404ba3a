import Foundation
import GutsStorage
import Synchronization

/// What an admin operation runs against: a data directory the CLI opened itself, or the
/// running node's own storage and caches.
public final class AdminContext: Sendable {
    public let dataDirectory: String
    public let lfs: LFSObjectStore
    public let archives: ArchiveCache
    /// Scratch space, e.g. for the clone an import makes.
    public let scratchDirectory: String
    /// True inside a running node: long jobs then run on a thread of their own at low
    /// priority, and reads are throttled unless the request names a rate.
    public let isNode: Bool
    public let progress: @Sendable (String) -> Void
    /// Caches only a running node has (pack generations, API responses), for cache-stats.
    public let nodeCaches: @Sendable () -> [CacheStatistics]

    private let openedStorage: Mutex<Storage?>
    private let nodeArchiveService: ArchiveService?

    /// The context of a running node, over its open storage.
    public init(
        node storage: Storage, dataDirectory: String, lfs: LFSObjectStore, archives: ArchiveCache,
        archiveService: ArchiveService, scratchDirectory: String, nodeCaches: @escaping @Sendable () -> [CacheStatistics]
    ) {
        self.dataDirectory = dataDirectory
        self.lfs = lfs
        self.archives = archives
        self.scratchDirectory = scratchDirectory
        self.isNode = true
        self.progress = { _ in }
        self.nodeCaches = nodeCaches
        self.openedStorage = Mutex(storage)
        self.nodeArchiveService = archiveService
    }

    /// The context of a data directory no node holds; its storage opens on first use and
    /// closes with `close()`.
    public init(offline dataDirectory: String, progress: @escaping @Sendable (String) -> Void) {
        self.dataDirectory = dataDirectory
        self.lfs = LFSObjectStore(dataDirectory: dataDirectory)
        self.archives = ArchiveCache(dataDirectory: dataDirectory)
        self.scratchDirectory = dataDirectory + "/tmp"
        self.isNode = false
        self.progress = progress
        self.nodeCaches = { [] }
        self.openedStorage = Mutex(nil)
        self.nodeArchiveService = nil
    }

    /// Stored bytes read per second when a request names no rate: unlimited offline,
    /// `Fsck.onlineBytesPerSecond` in a node so its requests stay fast.
    public var defaultBytesPerSecond: Double? { isNode ? Fsck.onlineBytesPerSecond : nil }

    /// The storage: the node's, or the data directory's `db`, opened once. Offline, it must
    /// exist unless `creatingIfMissing` (an import into a new data directory), and a
    /// directory held by a process that left no `node.json` is busy (exit 75).
    public func storage(creatingIfMissing: Bool = false) throws -> Storage {
        try openedStorage.withLock { opened in
            if let opened { return opened }
            var options = Storage.Options()
            options.rocksDB.createIfMissing = creatingIfMissing
            options.objectCacheEntries = 10_000
            options.objectCacheBytes = 64 << 20
            guard creatingIfMissing || FileManager.default.fileExists(atPath: dataDirectory + "/db") else {
                throw AdminError.usage("\(dataDirectory) holds no Guts data (no db directory)")
            }
            do {
                let storage = try Storage.open(dataDirectory: dataDirectory + "/db", options: options)
                opened = storage
                return storage
            } catch StorageError.dataDirectoryInUse(let path) {
                throw AdminError.jobBusy(job: "storage", lockPath: path + "/LOCK")
            }
        }
    }

    public func archiveService() throws -> ArchiveService {
        try nodeArchiveService ?? ArchiveService(storage: storage(), cache: archives)
    }

    /// Runs blocking work: in a node on a thread of its own (at nice 19 when `background`),
    /// so request threads never wait behind it; offline, right here.
    public func perform<Result: Sendable>(background: Bool = true, _ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        guard isNode else { return try body() }
        return try await JobThread.run(nice: background ? 19 : 0, body)
    }

    /// Closes the storage an offline context opened; a node's stays open.
    public func close() {
        guard !isNode else { return }
        openedStorage.withLock { opened in
            opened?.close()
            opened = nil
        }
    }
}
