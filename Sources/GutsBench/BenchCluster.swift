import Foundation

/// What `guts bench cluster` measures against: three etcd members and `guts serve`
/// processes (this executable) on loopback ports with temporary data dirs, killed on `stop`.
final class BenchCluster: @unchecked Sendable {
    /// A `guts serve` process and the port it listens on.
    struct Node {
        var process: Process
        var port: Int
        var dataDirectory: String
        var url: String { "http://127.0.0.1:\(port)" }
    }

    let directory: String
    let token: String
    let etcdEndpoints: [String]
    private(set) var etcd: [Process] = []
    /// `n1`, `n2`, ... then the standalone node last.
    private(set) var nodes: [Node] = []
    /// Lease TTL of the cluster nodes.
    static let leaseSeconds = 3

    init(clusterNodes: Int) throws {
        guard let etcdPath = ["/usr/bin/etcd", "/usr/local/bin/etcd"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw BenchError.missingTool("etcd (Debian: apt-get install etcd-server)")
        }
        directory = try GitRunner.temporaryDirectory("bench-cluster")
        token = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let ports = try (0..<6).map { _ in try Self.freePort() }
        etcdEndpoints = ports[..<3].map { "http://127.0.0.1:\($0)" }
        let initial = (0..<3).map { "e\($0)=http://127.0.0.1:\(ports[3 + $0])" }.joined(separator: ",")
        do {
            for index in 0..<3 {
                etcd.append(try Self.launch(etcdPath, [
                    "--name", "e\(index)", "--data-dir", "\(directory)/e\(index)",
                    "--listen-client-urls", etcdEndpoints[index], "--advertise-client-urls", etcdEndpoints[index],
                    "--listen-peer-urls", "http://127.0.0.1:\(ports[3 + index])", "--initial-advertise-peer-urls", "http://127.0.0.1:\(ports[3 + index])",
                    "--initial-cluster", initial, "--initial-cluster-state", "new", "--heartbeat-interval", "50", "--election-timeout", "500",
                ], log: "\(directory)/e\(index).log"))
            }
            try "\(token)\n".write(toFile: "\(directory)/cluster-token", atomically: true, encoding: .utf8)
            try "{\"clusterLeaseSeconds\": \(Self.leaseSeconds)}".write(toFile: "\(directory)/config.json", atomically: true, encoding: .utf8)
            for index in 1...clusterNodes {
                nodes.append(try startNode(name: "n\(index)", cluster: true))
            }
            nodes.append(try startNode(name: "single", cluster: false))
        } catch {
            stop()
            throw error
        }
    }

    var single: Node { nodes[nodes.count - 1] }
    var members: [Node] { Array(nodes.dropLast()) }

    func gitURL(_ node: Node, _ repository: String) -> String { "http://bench:\(token)@127.0.0.1:\(node.port)/\(repository).git" }

    private func startNode(name: String, cluster: Bool) throws -> Node {
        let data = "\(directory)/\(name)"
        var arguments = ["serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--log-level", "warning"]
        if cluster {
            arguments += ["--config", "\(directory)/config.json", "--etcd", etcdEndpoints.joined(separator: ","), "--node-name", name,
                          "--cluster-token-file", "\(directory)/cluster-token"]
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let process = try Self.launch(executable, arguments, log: "\(data).log", environment: ["GUTS_WRITE_TOKEN": token])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            if let contents = FileManager.default.contents(atPath: "\(data)/node.json"),
               let object = try? JSONSerialization.jsonObject(with: contents) as? [String: Any],
               let url = object["url"] as? String, let port = url.split(separator: ":").last.flatMap({ Int($0) }) {
                return Node(process: process, port: port, dataDirectory: data)
            }
            usleep(20_000)
        }
        throw BenchError.nodeDidNotStart("\(name): " + ((try? String(contentsOfFile: "\(data).log", encoding: .utf8)) ?? ""))
    }

    func kill(_ node: Node) {
        guard node.process.isRunning else { return }
        Foundation.kill(node.process.processIdentifier, SIGKILL)
        node.process.waitUntilExit()
    }

    func stop() {
        for node in nodes { kill(node) }
        for process in etcd where process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func launch(_ path: String, _ arguments: [String], log: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        return process
    }

    /// A loopback port nothing listens on now.
    static func freePort() throws -> Int {
        let text = try GitRunner.shell("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'", in: "/tmp")
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw BenchError.requestFailed("no free port: \(text)") }
        return port
    }
}
