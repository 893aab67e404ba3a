import GutsCluster

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

    var gauges: [(name: String, help: String, labels: [String: String], value: Double)] {
        [
            ("guts_cluster_members", "Live cluster members, as this node last read them.", [:], Double(members.count)),
            ("guts_cluster_lease_ok", "1 while this node's etcd lease is current (it takes writes).", [:], leaseOK ? 1 : 0),
            ("guts_cluster_catch_up_running", "1 while an anti-entropy pass runs.", [:], catchUpRunning ? 1 : 0),
            ("guts_cluster_catch_up_passes", "Anti-entropy passes completed since start.", [:], Double(catchUpPasses)),
            ("guts_cluster_repositories_behind", "Repositories whose local refs lagged etcd's in the last pass.", [:], Double(repositoriesBehind)),
        ]
    }
}
