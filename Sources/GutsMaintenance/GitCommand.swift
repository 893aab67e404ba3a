import Foundation
import GutsGit
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs the stock `git` in `GitEnvironment.isolated`, through swift-subprocess: the caller
/// awaits git's exit without holding a thread.
public enum GitCommand {
    /// What git may write to stdout before the run fails (ref listings, object ids).
    static let outputLimit = 256 << 20
    static let errorLimit = 4 << 20

    /// Runs `git arguments` in `directory` with `input` on stdin; returns stdout, throwing
    /// `AdminError.failed` with the last line of git's stderr when it exits non-zero.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String? = nil, input: [UInt8]? = nil) async throws -> [UInt8] {
        let isolated = GitEnvironment.isolated(from: ProcessInfo.processInfo.environment)
        let environment = Environment.custom(Dictionary(uniqueKeysWithValues: isolated.compactMap { name, value in
            Environment.Key(rawValue: name).map { ($0, value) }
        }))
        let result: (status: TerminationStatus, output: [UInt8], error: String?)
        do {
            let run = try await Subprocess.run(
                .name("git"), arguments: Arguments(arguments), environment: environment,
                workingDirectory: directory.map { FilePath($0) },
                input: .array(input ?? []), output: .bytes(limit: outputLimit), error: .string(limit: errorLimit))
            result = (run.terminationStatus, run.standardOutput, run.standardError)
        } catch {
            throw AdminError.failed("cannot run git \(arguments.first ?? ""): \(error)")
        }
        guard case .exited(0) = result.status else {
            let line = result.error?.split(separator: "\n").last.map(String.init) ?? ""
            throw AdminError.failed("git \(arguments.first ?? "") exited with \(result.status): \(line)")
        }
        return result.output
    }
}
