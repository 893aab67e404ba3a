import Foundation
import GutsTestSupport

/// `guts serve` processes joined to one etcd cluster as `n1`, `n2`, ...
final class ClusterNodes: @unchecked Sendable {
    let etcd: EtcdCluster
    let nodes: [NodeProcess]
    private let tokenFile: String

    /// `endpoints[i]`, when given, is the etcd endpoint list of node `i` (default: all members).
    init(count: Int = 3, etcd: EtcdCluster, endpoints: [Int: [String]] = [:]) throws {
        self.etcd = etcd
        tokenFile = etcd.directory + "/cluster-token"
        try "cluster-token-for-tests-0123456789\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let config = etcd.directory + "/cluster-config.json"
        try #"{"clusterLeaseSeconds": 3}"#.write(toFile: config, atomically: true, encoding: .utf8)
        nodes = try (1...count).map { index in
            try NodeProcess(extraArguments: [
                "--config", config, "--etcd", (endpoints[index - 1] ?? etcd.endpoints).joined(separator: ","), "--node-name", "n\(index)", "--replication", "3",
                "--cluster-token-file", etcd.directory + "/cluster-token",
            ])
        }
        try waitForMembers(count)
    }

    subscript(index: Int) -> NodeProcess { nodes[index] }

    /// `/health/ready` of a node, decoded.
    static func health(_ node: NodeProcess) -> [String: Any] {
        guard let text = try? Shell.check("curl -s -m 5 \(node.baseURL)/health/ready", in: "/tmp"),
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
        return object
    }

    static func cluster(_ node: NodeProcess) -> [String: Any] { health(node)["cluster"] as? [String: Any] ?? [:] }

    /// Waits until every running node sees `count` members.
    func waitForMembers(_ count: Int, timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if nodes.filter({ $0.process.isRunning }).allSatisfy({ (Self.cluster($0)["members"] as? [String: Any])?.count == count }) { return }
            usleep(100_000)
        }
        throw Shell.Failure(script: "wait for \(count) cluster members", status: -1, stderr: nodes.map { $0.log().suffix(3000) }.joined(separator: "\n---\n"))
    }

    /// Waits for a complete anti-entropy pass of `node` beyond `passes`.
    static func waitForCatchUp(_ node: NodeProcess, beyond passes: Int = 0, timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let done = cluster(node)["catch_up_passes"] as? Int, done > passes { return }
            usleep(100_000)
        }
        throw Shell.Failure(script: "wait for catch-up", status: -1, stderr: String(node.log().suffix(4000)))
    }
}
