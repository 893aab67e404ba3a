import ArgumentParser
import Foundation
import GutsAdmin
import GutsMaintenance

/// Options every administration command shares, and how such a command runs: pick the
/// target (offline data dir or node), take the job lock, map errors to exit codes.
struct AdminOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The node's data directory (default: $GUTS_DATA_DIR).")
    var dataDirectory: String?
    @Option(help: "URL of a running node to work through instead of opening the data directory.")
    var node: String?
    @Option(help: "Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).")
    var token: String?
    @Flag(help: "Print the result as JSON.")
    var json = false
    @Flag(help: "Print nothing but errors (for cron).")
    var quiet = false

    /// Progress lines go to stderr only when it is a terminal and not --quiet.
    var showsProgress: Bool { !quiet && isatty(STDERR_FILENO) == 1 }

    /// Writes a progress line (see `showsProgress`).
    var progress: @Sendable (String) -> Void {
        let shows = showsProgress
        return { line in if shows { FileHandle.standardError.write(Data("\(line)\n".utf8)) } }
    }

    /// Prints `value` as JSON with --json, else `text()` unless --quiet.
    func emit<Value: Encodable>(_ value: Value, text: () throws -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        } else if !quiet {
            print(try text())
        }
    }

    /// Runs `body` with the backend the options pick (a data directory or the node holding
    /// it), closing it after; `AdminError`s become a one-line message on stderr and exit
    /// codes 1, 64 or 75.
    func run(_ command: String, _ body: (any AdminBackend) async throws -> Void) async throws {
        do {
            let backend = try AdminTarget.backend(dataDirectory: dataDirectory, node: node, token: token, progress: progress)
            defer { backend.close() }
            try await body(backend)
        } catch {
            throw AdminOptions.exit(command, error)
        }
    }

    /// The exit for `error`: a one-line message on stderr, then 1, 64 or 75 as
    /// `AdminError.exitCode` says; ArgumentParser's own errors pass through.
    static func exit(_ command: String, _ error: any Error) -> any Error {
        switch error {
        case let error as ExitCode: return error
        case let error as ValidationError: return error
        case let error as AdminError:
            FileHandle.standardError.write(Data("guts \(command): \(error)\n".utf8))
            return ExitCode(error.exitCode)
        default:
            FileHandle.standardError.write(Data("guts \(command): \(error)\n".utf8))
            return ExitCode(1)
        }
    }
}
