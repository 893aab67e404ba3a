import Foundation
import GutsGit

/// Runs shell scripts for tests: the stock `git` and the built `guts`. Shared by the test targets.
public enum Shell {
    public struct Failure: Error, CustomStringConvertible {
        public let script: String
        public let status: Int32
        public let stderr: String

        public init(script: String, status: Int32, stderr: String) {
            self.script = script
            self.status = status
            self.stderr = stderr
        }

        public var description: String { "`\(script)` exited \(status): \(stderr)" }
    }

    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// An environment that isolates git from the machine's configuration.
    public static let environment = GitEnvironment.isolated(from: ProcessInfo.processInfo.environment, name: "Guts Test", email: "test@guts.invalid")

    /// Runs `script` with bash (`set -e`) in `directory`, capturing output through files.
    public static func run(_ script: String, in directory: String) throws -> Output {
        let scratch = try temporaryDirectory("io")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outPath = scratch + "/out", errPath = scratch + "/err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "set -e\n" + script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        try process.run()
        process.waitUntilExit()
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return Output(status: process.terminationStatus, stdout: read(outPath), stderr: read(errPath))
    }

    /// Runs and returns stdout, throwing with stderr when the script fails.
    @discardableResult
    public static func check(_ script: String, in directory: String) throws -> String {
        let output = try run(script, in: directory)
        guard output.status == 0 else { throw Failure(script: script, status: output.status, stderr: output.stderr) }
        return output.stdout
    }

    public static func temporaryDirectory(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("guts-\(label)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
