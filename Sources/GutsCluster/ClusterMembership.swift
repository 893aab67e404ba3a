import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// This node's membership: a lease it keeps alive, its URL under `/guts/members/<name>`
/// attached to the lease, and the live members as last read.
///
/// A node that stops renewing (killed, or cut off from etcd) drops out when its lease
/// expires. The node itself stops taking writes when its last successful renewal is older
/// than the lease's TTL (`canWrite`): by then etcd may have expired the lease and handed
/// its repositories to others.
public final class ClusterMembership: Service, Sendable {
    public struct State: Sendable, Equatable {
        public var lease: Int64?
        /// When the request of the last successful grant or renewal was sent.
        public var renewedAt: ContinuousClock.Instant?
        /// Live members by name: their advertised URLs.
        public var members: [String: String] = [:]
        public var lastError: String?
    }

    public let name: String
    public let ttlSeconds: Int
    let etcd: EtcdClient
    let logger: Logger
    /// The URL peers reach this node at; nil until the server listens.
    private let advertised: NIOLockedValueBox<String?>
    private let state = NIOLockedValueBox(State())

    public init(etcd: EtcdClient, name: String, advertise: String?, ttlSeconds: Int, logger: Logger) {
        self.etcd = etcd
        self.name = name
        self.ttlSeconds = ttlSeconds
        self.logger = logger
        advertised = NIOLockedValueBox(advertise)
    }

    public var snapshot: State { state.withLockedValue { $0 } }
    public var advertiseURL: String? { advertised.withLockedValue { $0 } }

    /// Sets the advertised URL once the listening port is known, unless one was configured.
    public func serverStarted(url: String) {
        advertised.withLockedValue { if $0 == nil { $0 = url } }
    }

    /// True while the lease was renewed less than a TTL ago.
    public var canWrite: Bool {
        guard let renewed = snapshot.renewedAt else { return false }
        return ContinuousClock.now - renewed < .seconds(ttlSeconds)
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    await self.renew()
                    try await Task.sleep(for: .milliseconds(self.ttlSeconds * 1000 / 3))
                }
            }
        } catch is CancellationError {}
        if let lease = snapshot.lease {
            // Leave at once rather than after a TTL, so placement skips a node that stopped.
            try? await etcd.revoke(lease: lease)
        }
    }

    /// One round: grant (or renew) the lease, (re)write the member key, read the members.
    func renew() async {
        guard let url = advertiseURL else { return }
        let sent = ContinuousClock.now
        do {
            var lease = snapshot.lease
            if let current = lease, try await !etcd.keepAlive(lease: current) {
                logger.warning("cluster lease expired; registering again", metadata: ["node": "\(name)"])
                lease = nil
            }
            if lease == nil {
                let granted = try await etcd.grantLease(ttlSeconds: ttlSeconds)
                try await etcd.put(ClusterKeys.member(name), Array(url.utf8), lease: granted)
                lease = granted
                logger.info("joined the cluster", metadata: ["node": "\(name)", "url": "\(url)"])
            }
            let members = try await etcd.range(prefix: Array(ClusterKeys.membersPrefix.utf8)).kvs
            var live = [String: String]()
            for member in members {
                live[String(member.keyString.dropFirst(ClusterKeys.membersPrefix.count))] = member.valueString
            }
            if live[name] == nil, let granted = lease {
                // The key went (an operator deleted it): write it again under the live lease.
                try await etcd.put(ClusterKeys.member(name), Array(url.utf8), lease: granted)
                live[name] = url
            }
            state.withLockedValue { [live] in
                $0.lease = lease
                $0.renewedAt = sent
                $0.members = live
                $0.lastError = nil
            }
        } catch {
            let wasHealthy = state.withLockedValue { current in
                defer { current.lastError = "\(error)" }
                return current.lastError == nil
            }
            if wasHealthy { logger.error("cluster lease renewal failed", metadata: ["node": "\(name)", "error": "\(error)"]) }
        }
    }
}
