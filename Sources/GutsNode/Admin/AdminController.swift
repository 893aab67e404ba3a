import CSystemSupport
import Foundation
import GutsAdmin
import GutsStorage
import Hummingbird
import Synchronization

/// Administration endpoints under `/admin`, for `guts compact`, `fsck`, `backup`,
/// `cache-stats`, `archive` and `migrate` when a node holds the data directory. All
/// require the admin token. Maintenance jobs are recorded in `JobHistory` for `/metrics`.
///
/// A job already running in this node answers 409 (the CLI exits 75), as does a
/// compaction while RocksDB stalls writes.
final class AdminController: Sendable {
    let node: GutsNode
    private let running = Mutex<Set<String>>([])

    init(node: GutsNode) {
        self.node = node
    }

    func register(on router: Router<BasicRequestContext>) {
        let admin = router.group("/admin")
        admin.get("/cache-stats") { [self] request, _ in
            try requireAdmin(request)
            let report = try await node.blockingPool.run { [node] in node.cacheReport() }
            return try JSONResponse.make(report)
        }
        admin.post("/compact") { [self] request, _ in
            try requireAdmin(request)
            let families = try Self.families(request.uri.queryParameters.get("cf"))
            let maxDuration = request.uri.queryParameters.get("max-duration").flatMap(TimeInterval.init)
            var work = Compactor.ObjectWork(
                pruneGrace: request.uri.queryParameters.get("prune-unreachable").flatMap(TimeInterval.init),
                repack: request.uri.queryParameters.get("repack") == "1")
            work.repositories = Self.list(request.uri.queryParameters.get("repos"))
            work.bytesPerSecond = request.uri.queryParameters.get("rate").flatMap(Double.init) ?? Fsck.onlineBytesPerSecond
            let report = try await exclusive("compact") { [node, work] in
                try await Self.onOwnThread { try Compactor(storage: node.storage).run(families: families, maxDuration: maxDuration, objects: work) }
            }
            return try JSONResponse.make(report)
        }
        admin.post("/archive/warm") { [self] request, _ in
            try requireAdmin(request)
            let names = (request.uri.queryParameters.get("repos") ?? "").split(separator: ",").map(String.init)
            let tags = request.uri.queryParameters.get("tags").flatMap(Int.init) ?? 3
            let report = try await exclusive("archive-warm") { [node] in
                try await node.archiveService.warm(names: names, tags: tags)
            }
            return try JSONResponse.make(report)
        }
        admin.post("/archive/prune") { [self] request, _ in
            try requireAdmin(request)
            let maxBytes = request.uri.queryParameters.get("max-bytes").flatMap(Int.init)
            let olderThan = request.uri.queryParameters.get("older-than").flatMap(TimeInterval.init)
            let report = try await exclusive("archive-prune") { [node] in
                try await node.blockingPool.run { try node.archives.prune(maxBytes: maxBytes, olderThan: olderThan) }
            }
            return try JSONResponse.make(report)
        }
        admin.post("/migrate/import") { [self] request, _ in
            try requireAdmin(request)
            guard let source = request.uri.queryParameters.get("source"), let name = request.uri.queryParameters.get("name") else {
                throw NodeError(.badRequest, "source and name are required")
            }
            let report = try await exclusive("migrate") { [node] in
                try await node.blockingPool.run {
                    try GitMigrator(storage: node.storage, lfs: node.lfsObjects).importRepository(
                        from: String(source), as: String(name), scratch: node.temporaryDirectory)
                }
            }
            return try JSONResponse.make(report)
        }
        admin.post("/migrate/export") { [self] request, _ in
            try requireAdmin(request)
            guard let name = request.uri.queryParameters.get("name"), let path = request.uri.queryParameters.get("path") else {
                throw NodeError(.badRequest, "name and path are required")
            }
            let report = try await exclusive("migrate") { [node] in
                try await node.blockingPool.run { try GitMigrator(storage: node.storage, lfs: node.lfsObjects).exportRepository(String(name), to: String(path)) }
            }
            return try JSONResponse.make(report)
        }
        admin.post("/fsck") { [self] request, _ in
            try requireAdmin(request)
            let names = Self.list(request.uri.queryParameters.get("repos"))
            let maxDuration = request.uri.queryParameters.get("max-duration").flatMap(TimeInterval.init)
            let rate = request.uri.queryParameters.get("rate").flatMap(Double.init) ?? Fsck.onlineBytesPerSecond
            let report = try await exclusive("fsck") { [node] in
                try await Self.onOwnThread {
                    var fsck = Fsck(storage: node.storage)
                    fsck.repositories = names
                    fsck.maxDuration = maxDuration
                    fsck.bytesPerSecond = rate
                    return try fsck.run(history: JobHistory(dataDirectory: node.configuration.dataDirectory))
                }
            }
            return try JSONResponse.make(report)
        }
        admin.post("/backup") { [self] request, _ in
            try requireAdmin(request)
            guard let directory = request.uri.queryParameters.get("to").map({ String($0) }), directory.hasPrefix("/") else {
                throw NodeError(.badRequest, "to must be an absolute path")
            }
            let keep = request.uri.queryParameters.get("keep").flatMap(Int.init)
            let report = try await exclusive("backup") { [node] in
                try await Self.onOwnThread {
                    try BackupStore(directory: directory).create(storage: node.storage, dataDirectory: node.configuration.dataDirectory, keep: keep)
                }
            }
            return try JSONResponse.make(report)
        }
        admin.get("/schema") { [self] request, _ in
            try requireAdmin(request)
            let status = try await node.blockingPool.run { [node] in SchemaMigrator.status(of: node.storage) }
            return try JSONResponse.make(status)
        }
    }

    /// 403 rather than 401 for a missing token: a 401 with a Basic challenge makes
    /// FoundationNetworking's URLSession (used by the CLI) hang on Linux.
    private func requireAdmin(_ request: Request) throws {
        guard node.access.level(for: request.headers) == .admin else { throw NodeError(.forbidden, "admin token required") }
    }

    /// Runs `body` unless a job named `job` is already running here (409), mapping admin errors to statuses.
    private func exclusive<Result: Sendable>(_ job: String, _ body: @Sendable () async throws -> Result) async throws -> Result {
        guard running.withLock({ $0.insert(job).inserted }) else {
            throw NodeError(.conflict, "another \(job) job is running in the node")
        }
        defer { _ = running.withLock { $0.remove(job) } }
        do {
            guard JobHistory.jobs.contains(job) else { return try await body() }
            return try await JobHistory(dataDirectory: node.configuration.dataDirectory).run(job) { try await body() }
        } catch let error as AdminError {
            throw Self.nodeError(error)
        }
    }

    static func nodeError(_ error: AdminError) -> NodeError {
        if case .notFound = error { return NodeError(.notFound, error.description) }
        switch error.exitCode {
        case 64: return NodeError(.badRequest, error.description)
        case 75: return NodeError(.conflict, error.description)
        default: return NodeError(.internalServerError, error.description)
        }
    }

    /// Runs a long job on a thread of its own, so it holds no thread of the blocking pool
    /// or event loop that requests need, at the lowest nice level (19): request threads
    /// preempt it, yet it still gets the CPU back soon enough not to stall them on what it
    /// holds. Idle scheduling (`SCHED_IDLE`) let other load starve it, most likely while it
    /// held a lock request threads wait for (a malloc arena, a cache mutex, the address-space
    /// lock); normal priority left its uninterruptible steps (one value's inflate and SHA-1)
    /// in the requests' way. docs/OPERATIONS.md has the measurements.
    static func onOwnThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(guts_gettid()), 19)
                continuation.resume(with: Swift.Result { try body() })
            }.start()
        }
    }

    /// A comma-separated query value as a list (empty for none).
    static func list(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map(String.init)
    }

    static func families(_ list: String?) throws -> [ColumnFamily] {
        guard let list, !list.isEmpty, list != "all" else { return [] }
        return try list.split(separator: ",").map { name in
            guard let family = ColumnFamily(rawValue: String(name)) else { throw NodeError(.badRequest, "unknown column family \(name)") }
            return family
        }
    }
}
