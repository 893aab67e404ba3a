import Foundation
import GutsTestSupport

/// Three `etcd` members on free loopback ports with data in a temporary directory,
/// killed when the value goes.
final class EtcdCluster: @unchecked Sendable {
    let directory: String
    let clientPorts: [Int]
    private var processes: [Process] = []

    var endpoints: [String] { clientPorts.map { "http://127.0.0.1:\($0)" } }
    var endpointList: String { endpoints.joined(separator: ",") }

    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/etcd") }

    init(members: Int = 3) throws {
        directory = try Shell.temporaryDirectory("etcd")
        let ports = try (0..<(2 * members)).map { _ in try WebhookReceiver.freePort() }
        clientPorts = Array(ports[..<members])
        let peerPorts = Array(ports[members...])
        let initial = (0..<members).map { "e\($0)=http://127.0.0.1:\(peerPorts[$0])" }.joined(separator: ",")
        for index in 0..<members {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
            process.arguments = [
                "--name", "e\(index)", "--data-dir", "\(directory)/e\(index)",
                "--listen-client-urls", "http://127.0.0.1:\(clientPorts[index])", "--advertise-client-urls", "http://127.0.0.1:\(clientPorts[index])",
                "--listen-peer-urls", "http://127.0.0.1:\(peerPorts[index])", "--initial-advertise-peer-urls", "http://127.0.0.1:\(peerPorts[index])",
                "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", "guts-test",
                "--heartbeat-interval", "50", "--election-timeout", "500",
            ]
            let log = "\(directory)/e\(index).log"
            FileManager.default.createFile(atPath: log, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: log)
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
            processes.append(process)
        }
        // Ready once a write through the first member commits (a leader was elected).
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let put = try Shell.run("curl -s -m 2 -X POST \(endpoints[0])/v3/kv/put -d '{\"key\":\"cmVhZHk=\",\"value\":\"eQ==\"}'", in: directory)
            if put.stdout.contains("revision") { return }
            usleep(100_000)
        }
        throw Shell.Failure(script: "etcd cluster start", status: -1, stderr: log(0))
    }

    func log(_ index: Int) -> String { (try? String(contentsOfFile: "\(directory)/e\(index).log", encoding: .utf8)) ?? "" }

    func kill(_ index: Int) {
        guard processes[index].isRunning else { return }
        Foundation.kill(processes[index].processIdentifier, SIGKILL)
        processes[index].waitUntilExit()
    }

    deinit {
        for index in processes.indices { kill(index) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
