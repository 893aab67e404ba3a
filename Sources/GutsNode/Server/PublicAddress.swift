import Synchronization

/// The node's base URL as clients reach it, for absolute links (`clone_url`, `html_url`,
/// Git LFS actions, webhook payloads): `publicURL` when configured, else the address the
/// server is bound to. Never taken from a request's `Host`, which a caller controls.
final class PublicAddress: Sendable {
    private let configured: String
    private let bound = Mutex<String>("")

    init(configured: String) {
        self.configured = configured.hasSuffix("/") ? String(configured.dropLast()) : configured
    }

    /// Records the listening address once the server runs.
    func serverStarted(host: String, port: Int) {
        bound.withLock { $0 = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
    }

    /// `scheme://host[:port]`, without a trailing slash.
    var base: String { configured.isEmpty ? bound.withLock { $0 } : configured }
}
