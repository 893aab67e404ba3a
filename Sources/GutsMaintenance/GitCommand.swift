import Foundation
import GutsGit

/// Runs the stock `git` in `GitEnvironment.isolated`.
public enum GitCommand {
    /// Runs `git arguments` in `directory` with `input` on stdin; returns stdout, throwing
    /// `AdminError.failed` with git's stderr when it exits non-zero.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String? = nil, input: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = GitEnvironment.isolated(from: ProcessInfo.processInfo.environment)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("guts-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outPath = scratch.appendingPathComponent("out").path, errPath = scratch.appendingPathComponent("err").path
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        if let input {
            let inPath = scratch.appendingPathComponent("in").path
            FileManager.default.createFile(atPath: inPath, contents: input)
            process.standardInput = FileHandle(forReadingAtPath: inPath)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        do {
            try process.run()
        } catch {
            throw AdminError.failed("cannot run git: \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
            let line = stderr.split(separator: "\n").last.map(String.init) ?? ""
            throw AdminError.failed("git \(arguments.first ?? "") exited \(process.terminationStatus): \(line)")
        }
        return FileManager.default.contents(atPath: outPath) ?? Data()
    }
}
