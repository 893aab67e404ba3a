import Foundation
import GutsTestSupport

/// A `guts serve` process on a free loopback port and a temporary data dir.
final class NodeProcess: @unchecked Sendable {
    static let adminToken = "test-admin-token-0123456789"
    static let writeToken = "test-write-token-9876543210"

    let dataDirectory: String
    private(set) var process: Process
    private(set) var port = 0
    let logPath: String
    /// Arguments after `serve --listen --data-dir`, kept for `restart`.
    private let extraArguments: [String]

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A clone URL carrying the write token as git's Basic credentials.
    func authenticatedURL(_ repository: String) -> String { "http://git:\(Self.writeToken)@127.0.0.1:\(port)/\(repository).git" }
    func anonymousURL(_ repository: String) -> String { "\(baseURL)/\(repository).git" }

    /// The `guts` executable built beside the test bundle.
    static var executable: String {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("guts").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/guts").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    init(dataDirectory: String? = nil, extraArguments: [String] = []) throws {
        self.dataDirectory = try dataDirectory ?? Shell.temporaryDirectory("node")
        logPath = self.dataDirectory + ".log"
        self.extraArguments = extraArguments
        process = Process()
        try start(extraArguments: extraArguments)
    }

    private func start(extraArguments: [String]) throws {
        try? FileManager.default.removeItem(atPath: dataDirectory + "/node.json")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let logHandle = FileHandle(forWritingAtPath: logPath)!
        logHandle.seekToEndOfFile()
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDirectory] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["GUTS_ADMIN_TOKEN"] = Self.adminToken
        environment["GUTS_WRITE_TOKEN"] = Self.writeToken
        process.environment = environment
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: dataDirectory + "/node.json"),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let url = object["url"] as? String, let port = url.split(separator: ":").last.flatMap({ Int($0) }) {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        throw Shell.Failure(script: "guts serve", status: process.isRunning ? -1 : process.terminationStatus, stderr: log())
    }

    func log() -> String { String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self) }

    /// Stops with SIGTERM and returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func restart() throws {
        stop()
        try start(extraArguments: extraArguments)
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(atPath: dataDirectory)
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
