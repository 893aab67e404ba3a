import Foundation
import GutsNode
import Logging

/// The node a benchmark measures: an embedded node on a temporary data directory (removed
/// by `shutdown()`), or a running node at a URL.
public final class BenchNode: Sendable {
    public let host: String
    public let port: Int
    /// A token with write (embedded: admin) rights, or nil for anonymous access.
    public let token: String?
    /// The embedded node's data directory; nil for `--url`.
    public let dataDirectory: String?
    private let embedded: EmbeddedNode?

    public var baseURL: String { "http://\(host):\(port)" }
    public var isEmbedded: Bool { embedded != nil }

    private init(host: String, port: Int, token: String?, dataDirectory: String?, embedded: EmbeddedNode?) {
        self.host = host
        self.port = port
        self.token = token
        self.dataDirectory = dataDirectory
        self.embedded = embedded
    }

    /// A running node at `url` (`http://host:port`).
    public static func remote(url: String, token: String?) throws -> BenchNode {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host else {
            throw BenchError.invalidURL(url)
        }
        return BenchNode(host: host, port: components.port ?? 80, token: token, dataDirectory: nil, embedded: nil)
    }

    /// Starts a node in this process on a loopback port and a fresh temporary directory.
    public static func embedded(storage: NodeConfiguration.StorageKind = .rocksdb) async throws -> BenchNode {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("guts-bench-\(UUID().uuidString)").path
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let node = try await EmbeddedNode.start(dataDirectory: directory, token: token, storage: storage)
        return BenchNode(host: "127.0.0.1", port: node.port, token: token, dataDirectory: directory, embedded: node)
    }

    /// Stops the embedded node and starts it again on the same data directory; returns the
    /// seconds from opening storage to the server accepting connections.
    public func restart() async throws -> (node: BenchNode, seconds: Double) {
        guard let embedded, let dataDirectory else { throw BenchError.unsupported("restart needs an embedded node") }
        await embedded.stop()
        let start = ContinuousClock.now
        let node = try await EmbeddedNode.start(dataDirectory: dataDirectory, token: token ?? "", storage: embedded.storage)
        let seconds = (ContinuousClock.now - start).seconds
        return (BenchNode(host: host, port: node.port, token: token, dataDirectory: dataDirectory, embedded: node), seconds)
    }

    /// Stops an embedded node and removes its data directory; does nothing for `--url`.
    public func shutdown() async {
        guard let embedded, let dataDirectory else { return }
        await embedded.stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// A native push client for this node, carrying the token as Basic credentials like `gitURL`.
    public func nativePushClient() -> NativePushClient {
        NativePushClient(host: host, port: port, credentials: token.map { .basic(user: "bench", password: $0) } ?? .none)
    }

    /// A git remote URL for `repository`, carrying the token as Basic credentials.
    public func gitURL(_ repository: String) -> String {
        if let token { return "http://bench:\(token)@\(host):\(port)/\(repository).git" }
        return "\(baseURL)/\(repository).git"
    }
}

/// A `GutsNode` running in a task of this process.
final class EmbeddedNode: Sendable {
    let port: Int
    let storage: NodeConfiguration.StorageKind
    private let task: Task<Void, any Error>

    private init(port: Int, storage: NodeConfiguration.StorageKind, task: Task<Void, any Error>) {
        self.port = port
        self.storage = storage
        self.task = task
    }

    static func start(dataDirectory: String, token: String, storage: NodeConfiguration.StorageKind) async throws -> EmbeddedNode {
        var configuration = NodeConfiguration()
        configuration.listen = "127.0.0.1:0"
        configuration.dataDirectory = dataDirectory
        configuration.storage = storage
        configuration.logLevel = "critical"
        configuration.tokens = [.init(name: "bench", token: token, admin: true)]
        configuration.maxConnections = 1_000_000
        let logger = NodeLogging.makeLogger(format: .text, level: "critical")
        let node = try GutsNode(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await node.run { port in continuation.yield(port) }
        }
        var port: Int?
        for await value in ports {
            port = value
            break
        }
        guard let port else {
            do {
                try await task.value
                throw BenchError.nodeDidNotStart("the server stopped before listening")
            } catch {
                throw BenchError.nodeDidNotStart("\(error)")
            }
        }
        return EmbeddedNode(port: port, storage: storage, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

extension Duration {
    /// This duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
