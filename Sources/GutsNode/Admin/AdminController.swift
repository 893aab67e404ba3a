import Foundation
import GutsMaintenance
import HTTPTypes
import Hummingbird
import Synchronization

/// Administration endpoints under `/admin`: every operation in `AdminOperations.served`,
/// each at the route its contract names, decoded from the same query the CLI encodes and
/// run on the node's storage. All require the admin token. Maintenance jobs are recorded
/// in `JobHistory` for `/metrics`.
///
/// An exclusive job already running in this node answers 409 (the CLI exits 75), as does
/// a compaction while RocksDB stalls writes.
final class AdminController: Sendable {
    let node: GutsNode
    let context: AdminContext
    private let running = Mutex<Set<String>>([])

    init(node: GutsNode) {
        self.node = node
        context = AdminContext(
            node: node.storage, dataDirectory: node.configuration.dataDirectory, lfs: node.lfsObjects,
            archives: node.archives, archiveService: node.archiveService, scratchDirectory: node.temporaryDirectory,
            nodeCaches: { [node] in node.nodeCaches() },
            cluster: node.cluster)
    }

    func register(on router: Router<BasicRequestContext>) {
        for operation in AdminOperations.served { register(operation, on: router) }
    }

    private func register<Operation: AdminOperation>(_: Operation.Type, on router: Router<BasicRequestContext>) {
        guard let route = Operation.route, let method = HTTPRequest.Method(route.method.rawValue) else { return }
        router.on(RouterPath(route.path), method: method) { [self] request, _ in
            try node.access.requireAdmin(request.headers)
            var values: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { values[String(key)] = String(value) }
            let query = AdminQuery(values)
            let report = try await run(Operation.self) { [context] in
                try await Operation(query: query).run(in: context)
            }
            return try JSONResponse.make(report)
        }
    }

    /// Runs `body`, unless `Operation` is exclusive and already running here (409),
    /// recording the jobs `JobHistory` lists and mapping admin errors to statuses.
    private func run<Operation: AdminOperation>(
        _: Operation.Type, _ body: @Sendable () async throws -> Operation.Report
    ) async throws -> Operation.Report {
        let job = Operation.job
        if Operation.isExclusive {
            guard running.withLock({ $0.insert(job).inserted }) else {
                throw NodeError(.conflict, "another \(job) job is running in the node")
            }
        }
        defer { if Operation.isExclusive { _ = running.withLock { $0.remove(job) } } }
        do {
            guard JobHistory.jobs.contains(job) else { return try await body() }
            return try await JobHistory(dataDirectory: node.configuration.dataDirectory).run(job) { try await body() }
        } catch let error as AdminError {
            throw Self.nodeError(error)
        }
    }

    static func nodeError(_ error: AdminError) -> NodeError {
        if case .notFound = error { return NodeError(.notFound, error.description) }
        if case .clusterRefused = error { return NodeError(.serviceUnavailable, error.description) }
        switch error.exitCode {
        case 64: return NodeError(.badRequest, error.description)
        case 75: return NodeError(.conflict, error.description)
        default: return NodeError(.internalServerError, error.description)
        }
    }
}
