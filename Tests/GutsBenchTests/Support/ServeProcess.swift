import Foundation
import GutsTestSupport

/// A `guts serve` process on a free loopback port and a temporary data directory, as
/// GutsNodeTests' `NodeProcess` starts one; stopped and removed by `stop()`.
final class ServeProcess: @unchecked Sendable {
    static let writeToken = "bench-test-write-token-0123456789"

    let dataDirectory: String
    let process = Process()
    private(set) var port = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The `guts` executable of the debug build beside the test bundle.
    static var executable: String {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("guts").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/guts").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    init() throws {
        dataDirectory = try Shell.temporaryDirectory("bench-serve")
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory]
        var environment = ProcessInfo.processInfo.environment
        environment["GUTS_WRITE_TOKEN"] = Self.writeToken
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            if let data = FileManager.default.contents(atPath: dataDirectory + "/node.json"),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let url = object["url"] as? String, let port = url.split(separator: ":").last.flatMap({ Int($0) }) {
                self.port = port
                return
            }
            usleep(20_000)
        }
        stop()
        throw Shell.Failure(script: "guts serve", status: process.isRunning ? -1 : process.terminationStatus, stderr: "did not start")
    }

    /// Stops the process and removes its data directory.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
