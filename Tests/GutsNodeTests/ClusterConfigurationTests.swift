import Foundation
import GutsNode
import GutsTestSupport
import Testing

/// `--etcd` and its companions: parsed from the environment and files, refused with one clear line.
struct ClusterConfigurationTests {
    static let token = "a-cluster-token-of-32-bytes-0123"

    @Test func environmentSetsEveryClusterValue() throws {
        var configuration = NodeConfiguration()
        #expect(!configuration.isClustered)
        try configuration.merge(environment: [
            "GUTS_ETCD": "http://10.0.0.1:2379, http://10.0.0.2:2379,", "GUTS_NODE_NAME": "n1", "GUTS_ADVERTISE_URL": "http://10.0.0.1:8080",
            "GUTS_REPLICATION": "5", "GUTS_CLUSTER_TOKEN": Self.token,
        ])
        #expect(configuration.etcdEndpoints == ["http://10.0.0.1:2379", "http://10.0.0.2:2379"])
        #expect(configuration.nodeName == "n1")
        #expect(configuration.advertiseURL == "http://10.0.0.1:8080")
        #expect(configuration.replication == 5)
        #expect(configuration.isClustered)
        try configuration.validate()
        #expect(throws: NodeConfigurationError.self) { try configuration.merge(environment: ["GUTS_REPLICATION": "three"]) }
    }

    @Test func aClusterNodeNeedsANameAValidTokenAndHTTPEndpoints() throws {
        var base = NodeConfiguration()
        base.etcdEndpoints = ["http://127.0.0.1:2379"]
        base.nodeName = "n1"
        base.clusterToken = Self.token
        try base.validate()
        let broken: [(String, (inout NodeConfiguration) -> Void)] = [
            ("node-name", { $0.nodeName = "" }),
            ("nodeName", { $0.nodeName = "a/b" }),
            ("cluster token", { $0.clusterToken = "short" }),
            ("etcd", { $0.etcdEndpoints = ["127.0.0.1:2379"] }),
            ("replication", { $0.replication = 0 }),
            ("advertiseURL", { $0.advertiseURL = "10.0.0.1:8080" }),
            ("clusterLeaseSeconds", { $0.clusterLeaseSeconds = 1 }),
        ]
        for (named, change) in broken {
            var configuration = base
            change(&configuration)
            #expect(throws: NodeConfigurationError.self) { try configuration.validate() }
            do {
                try configuration.validate()
            } catch {
                #expect("\(error)".contains(named), "\(error)")
            }
        }
    }

    @Test func theTokenFileIsReadAndTrimmedAndAMissingOneNamed() throws {
        let directory = try Shell.temporaryDirectory("cluster-token")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "\(Self.token)\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        var configuration = NodeConfiguration()
        configuration.clusterTokenFile = directory + "/token"
        try configuration.loadClusterToken()
        #expect(configuration.clusterToken == Self.token)
        configuration.clusterToken = ""
        configuration.clusterTokenFile = directory + "/missing"
        #expect(throws: NodeConfigurationError.self) { try configuration.loadClusterToken() }
    }

    @Test func serveWithEtcdButNoNodeNameExitsWithOneLine() throws {
        let directory = try Shell.temporaryDirectory("cluster-serve")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = try Shell.run("GUTS_CLUSTER_TOKEN=\(Self.token) '\(NodeProcess.executable)' serve --listen 127.0.0.1:0 --data-dir '\(directory)/data' --etcd http://127.0.0.1:9", in: directory)
        #expect(output.status == 64)
        #expect(output.stderr.contains("--node-name"), "\(output.stderr)")
        #expect(!output.stderr.contains(Self.token))
    }
}
