import Foundation
import GutsGit

/// Runs the stock `git` (and `sh`) in `GitEnvironment.isolated`.
struct GitRunner: Sendable {
    /// Runs `/bin/sh -c script` in `directory`; throws with its output when it fails.
    @discardableResult
    static func shell(_ script: String, in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = GitEnvironment.isolated(from: ProcessInfo.processInfo.environment, name: "guts bench", email: "bench@guts.invalid")
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw BenchError.commandFailed(command: script.split(separator: "\n").first.map(String.init) ?? script, status: process.terminationStatus, output: text)
        }
        return text
    }

    /// A new repository at `path`: ten commits of base64 text, about `megabytes` MB in all.
    static func generateRepository(at path: String, megabytes: Double) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let perCommit = max(1, Int(megabytes * 1_000_000 / 10 * 0.75))
        try shell("""
            git init -q -b main . && for i in 1 2 3 4 5 6 7 8 9 10; do
              mkdir -p d$i && head -c \(perCommit) /dev/urandom | base64 > d$i/data.txt && git add -A && git commit -q -m "commit $i"
            done
            """, in: path)
    }

    /// A new empty temporary directory.
    static func temporaryDirectory(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("guts-bench-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Total size in bytes of the files under `path`.
    static func directorySize(_ path: String) -> Int {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        while let name = enumerator.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + name)
            if attributes?[.type] as? FileAttributeType == .typeRegular { total += (attributes?[.size] as? Int) ?? 0 }
        }
        return total
    }
}
