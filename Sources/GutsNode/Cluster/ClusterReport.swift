import GutsCluster
import GutsMaintenance
import Prometheus

/// A cluster node's state for `/health/ready` and `/metrics`.
struct ClusterReport: Encodable, Sendable {
    var node: String
    var members: [String: String]
    var leaseOK: Bool
    var lastError: String?
    var catchUpRunning: Bool
    var catchUpPasses: Int
    /// Repositories that were behind etcd in the last anti-entropy pass.
    var repositoriesBehind: Int

    init(_ cluster: ClusterNode) {
        let membership = cluster.membership.snapshot
        let catchUp = cluster.catchUpState
        node = cluster.name
        members = membership.members
        leaseOK = cluster.membership.canWrite
        lastError = membership.lastError ?? catchUp.lastError
        catchUpRunning = catchUp.running
        catchUpPasses = catchUp.passes
        repositoriesBehind = catchUp.behind
    }

    /// The readiness check: ok while the lease is current.
    var check: String { leaseOK ? "ok" : "no current etcd lease: \(lastError ?? "not registered yet")" }

    /// Sets the cluster families of `registry` to this report's values.
    func record(into registry: PrometheusCollectorRegistry) {
        registry.set(Families.members, to: Double(members.count))
        registry.set(Families.leaseOK, to: leaseOK ? 1 : 0)
        registry.set(Families.catchUpRunning, to: catchUpRunning ? 1 : 0)
        registry.set(Families.catchUpPasses, total: UInt64(max(0, catchUpPasses)))
        registry.set(Families.repositoriesBehind, to: Double(repositoriesBehind))
    }

    enum Families {
        static let members = MetricFamily("guts_cluster_members", "Live cluster members, as this node last read them.")
        static let leaseOK = MetricFamily("guts_cluster_lease_ok", "1 while this node's etcd lease is current (it takes writes).")
        static let catchUpRunning = MetricFamily("guts_cluster_catch_up_running", "1 while an anti-entropy pass runs.")
        static let catchUpPasses = MetricFamily("guts_cluster_catch_up_passes_total", "Anti-entropy passes completed since start.")
        static let repositoriesBehind = MetricFamily("guts_cluster_repositories_behind", "Repositories whose local refs lagged etcd's in the last pass.")
    }
}
