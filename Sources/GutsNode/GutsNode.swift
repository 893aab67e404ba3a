import CSystemSupport
import Foundation
import GutsMaintenance
import GutsProfiler
import GutsStorage
import Hummingbird
import Logging
import HummingbirdCore
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A running Guts node: storage, access control, metrics and the HTTP application over them.
public final class GutsNode: Sendable {
    public static let version = "0.1.0"

    public let configuration: NodeConfiguration
    public let storage: Storage
    let metrics = NodeMetrics()
    let access: AccessControl
    let logger: Logger
    let temporaryDirectory: String
    let packGenerations: PackGenerations
    let pushSerializer = PushSerializer()
    /// Which commits each repository's refs reach, for routes that name commits by id.
    let reachableCommits = ReachableCommits()
    /// Encoded `/api/repos` pages, until the registry changes.
    let repositoryPages = RepositoryPages()
    /// Small files by commit and path, for the raw route.
    let files = BoundedCache<ContentController.File>(maxEntries: 20_000, maxBytes: 64 << 20, name: "raw-files")
    /// Encoded API responses that depend only on object ids (a commit page from a given
    /// commit), so they never go stale: keyed by the SHA-1 of what determines them.
    let immutableResponses = BoundedCache<[UInt8]>(maxEntries: 20_000, maxBytes: 64 << 20, name: "api-responses")
    /// Whole responses to anonymous reads, answered before the router; nil in a cluster.
    let responseCache: ResponseCache?
    /// The last full clone of each repository, for the next one to start from.
    let clonePlans = ClonePlans()
    /// Where storage, zlib and SHA-1 work runs, off the event loops.
    let blockingPool: BlockingPool
    /// Built archives under `<data-dir>/archives`.
    let archives: ArchiveCache
    let archiveService: ArchiveService
    /// Git LFS objects under `<data-dir>/lfs`, and their locks.
    let lfsObjects: LFSObjectStore
    let lfsLocks: LFSLockStore
    /// Webhooks: their store, and the service that delivers them.
    let webhooks: WebhookDeliverer
    /// The base of the absolute links the node hands out.
    let address: PublicAddress
    let startedAt = Date()
    /// The always-on CPU sampler of `--profile-continuous`, nil when off.
    let continuousProfiler: ContinuousProfiler?
    /// The always-on allocation sampler of `--profile-allocations`, nil when off.
    let heapProfiler: HeapProfiler?
    /// The node's part in a cluster (`--etcd`); nil for a standalone node.
    let cluster: ClusterNode?

    /// Opens the storage the configuration names. When no token is configured, creates
    /// (once) an admin token in `<data-dir>/admin-token`, readable only by its owner.
    public init(configuration: NodeConfiguration, logger: Logger) throws {
        try configuration.validate()
        if configuration.mallocArenas > 0 { mallopt(M_ARENA_MAX, Int32(configuration.mallocArenas)) }  // safe: validate() caps it
        if configuration.mallocMmapThresholdBytes > 0 { mallopt(M_MMAP_THRESHOLD, Int32(configuration.mallocMmapThresholdBytes)) }  // safe: validate() caps it
        self.configuration = configuration
        self.logger = logger
        let blockingPool = BlockingPool(threads: configuration.blockingPoolThreads, queueLimit: configuration.blockingQueueLimit)
        self.blockingPool = blockingPool
        let dataDirectory = configuration.dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        switch configuration.storage {
        case .rocksdb:
            storage = try Storage.open(
                dataDirectory: dataDirectory + "/db",
                options: Self.storageOptions(configuration)
            )
        case .memory:
            storage = Storage.inMemory(options: Self.storageOptions(configuration))
        }
        // Opening replays the WAL through memtables that are flushed and freed at once:
        // hand what they took back to the kernel rather than keep it for the process's life.
        malloc_trim(0)
        temporaryDirectory = dataDirectory + "/tmp"
        archives = ArchiveCache(dataDirectory: dataDirectory)
        archiveService = ArchiveService(storage: storage, cache: archives) { work in try await blockingPool.run(work) }
        lfsObjects = LFSObjectStore(dataDirectory: dataDirectory)
        lfsObjects.discardPartialUploads()
        lfsLocks = LFSLockStore(store: storage.store)
        address = PublicAddress(configured: configuration.publicURL)
        webhooks = WebhookDeliverer(storage: storage, pool: blockingPool, configuration: configuration, address: address, logger: logger)
        try Quarantine.discardAll(in: storage)
        try? FileManager.default.removeItem(atPath: temporaryDirectory)
        try FileManager.default.createDirectory(atPath: temporaryDirectory, withIntermediateDirectories: true)
        packGenerations = PackGenerations(
            directory: temporaryDirectory, pool: blockingPool, metrics: metrics, cacheBytes: configuration.packCacheBytes)
        var tokens = configuration.tokens
        if tokens.isEmpty {
            tokens = [try Self.initialAdminToken(in: dataDirectory, logger: logger)]
        }
        access = AccessControl(tokens: tokens)
        continuousProfiler = configuration.profileContinuous
            ? ContinuousProfiler(rate: configuration.profileRate, memoryGauges: ProfileController.storageGauges(storage)) : nil
        heapProfiler = configuration.profileAllocations > 0 ? HeapProfiler(sampleInterval: configuration.profileAllocations) : nil
        responseCache = configuration.isClustered ? nil : ResponseCache(storage: storage)
        cluster = configuration.isClustered
            ? ClusterNode(configuration: configuration, storage: storage, serializer: pushSerializer, temporaryDirectory: temporaryDirectory, logger: logger)
            : nil
    }

    /// Makes SwiftNIO's event loops (the threads that do the node's I/O) Swift Concurrency's
    /// global executor, so a request's handler runs where its bytes arrive, without a hop to
    /// Dispatch's pool and back: the largest single cost of a cached API request (see
    /// docs/PERFORMANCE.md). Storage, zlib and SHA-1 work still runs on the blocking pool.
    ///
    /// Process-wide and once only, so `guts serve`, which owns its process, calls it
    /// before starting a node; processes that embed nodes (tests) leave Swift's executor
    /// alone. Returns false when the runtime offers no hook for it.
    @discardableResult
    public static func runConcurrencyOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests
    /// finish, closes storage (flushing RocksDB) and returns.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        // Declared first so it runs last: a notice writes out the log lines still batched.
        defer { logger.notice("guts node stopped") }
        let application = makeApplication(onServerRunning: onServerRunning)
        defer { storage.close() }
        defer { Task { [blockingPool] in await blockingPool.shutdown() } }
        if let continuousProfiler {
            try continuousProfiler.start()
            logger.info("continuous CPU profiling on", metadata: ["rate-hz": "\(continuousProfiler.rate)"])
        }
        defer { continuousProfiler?.stop() }
        if let heapProfiler {
            try heapProfiler.start()
            logger.info("allocation sampling on", metadata: ["mean-interval-bytes": "\(heapProfiler.sampleInterval)"])
        }
        defer { heapProfiler?.stop() }
        // On SIGTERM the group stops the webhook deliverer first (what it has not sent
        // stays queued), then the server.
        // A cluster node leaves (revokes its lease) before its server stops.
        let clusterServices: [ServiceGroupConfiguration.ServiceConfiguration] = cluster.map { [.init(service: $0), .init(service: $0.membership)] } ?? []
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: application), .init(service: webhooks)] + clusterServices,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let configuration = self.configuration
        let logger = self.logger
        let dataDirectory = configuration.dataDirectory
        let address = self.address
        let cluster = self.cluster
        return Application(
            router: NodeRouter.make(node: self),
            server: httpServer(),
            configuration: .init(
                address: .hostname(configuration.listenHost, port: configuration.listenPort),
                serverName: "guts/\(Self.version)",
                backlog: 1024,
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections)
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.listenPort
                address.serverStarted(host: configuration.listenHost, port: port)
                cluster?.membership.serverStarted(url: "http://\(configuration.listenHost):\(port)")
                NodeDiscovery(url: "http://\(configuration.listenHost):\(port)", pid: getpid()).write(to: dataDirectory)
                logger.info("guts node listening", metadata: ["url": "http://\(configuration.listenHost):\(port)", "data-dir": "\(dataDirectory)"])
                await onServerRunning(port)
            },
            logger: logger
        )
    }

    /// HTTP/1.1 with the node's limits, and the response cache in front of the router.
    private func httpServer() -> HTTPServerBuilder {
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: configuration.maxHeaderBytes, maxHeaderListSize: configuration.maxHeaderBytes))
        let (metrics, logger) = (metrics, logger)
        var makeCacheHandler: (@Sendable () -> ResponseCacheHandler)?
        if let cache = responseCache {
            makeCacheHandler = { ResponseCacheHandler(cache: cache, metrics: metrics, logger: logger) }
        }
        return HTTPServerBuilder { [makeCacheHandler] responder in
            NodeHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: http1), makeCacheHandler: makeCacheHandler)
        }
    }

    /// Every cache's counters, for `/admin/cache-stats` and `/metrics`.
    func cacheReport() -> CacheStatsReport {
        var report = CacheStatsReport(storage: storage, archives: archives, lfs: lfsObjects)
        report.caches += nodeCaches()
        return report
    }

    /// The caches only a running node has: pack generations, the pack cache on disk, API
    /// responses and raw files.
    func nodeCaches() -> [CacheStatistics] {
        [packGenerations.statistics, packGenerations.cacheStatistics, immutableResponses.statistics, files.statistics]
            + (responseCache.map { [$0.statistics] } ?? [])
    }

    private static func storageOptions(_ configuration: NodeConfiguration) -> Storage.Options {
        var options = Storage.Options()
        options.rocksDB.blockCacheBytes = configuration.blockCacheBytes
        options.objectCacheBytes = configuration.objectCacheBytes
        options.objectCacheEntries = configuration.objectCacheEntries
        options.syncRefUpdates = configuration.syncRefUpdates
        return options
    }

    private static func initialAdminToken(in dataDirectory: String, logger: Logger) throws -> NodeConfiguration.Token {
        let path = dataDirectory + "/admin-token"
        var info = stat()
        if stat(path, &info) == 0 {
            let mode = info.st_mode & 0o777
            guard mode & 0o077 == 0, info.st_uid == geteuid() else {
                throw NodeConfigurationError.invalidValue(
                    "admin token file", "\(path) has mode \(String(mode, radix: 8)); it must be 0600 and owned by this user (chmod 600 \(path))")
            }
            let existing = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !existing.isEmpty else { throw NodeConfigurationError.invalidValue("admin token file", "\(path) is empty") }
            return .init(name: "initial-admin", token: existing, admin: true)
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw NodeConfigurationError.invalidValue("data-dir", "cannot write \(path)")
        }
        logger.notice("no tokens configured; generated an admin token", metadata: ["file": "\(path)"])
        return .init(name: "initial-admin", token: token, admin: true)
    }
}
