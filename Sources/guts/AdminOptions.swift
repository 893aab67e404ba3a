import ArgumentParser
import Foundation
import GutsAdmin

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

    func progress(_ line: String) {
        guard showsProgress else { return }
        FileHandle.standardError.write(Data("\(line)\n".utf8))
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

    /// Runs `body` for `job` under its lock; `AdminError`s become a one-line message on
    /// stderr and exit codes 1, 64 or 75.
    ///
    /// With `recordAs`, an offline run is recorded in the data dir's `JobHistory` (an
    /// online run is recorded by the node), for `/metrics`.
    func run(_ command: String, job: String, recordAs: String? = nil, _ body: (AdminTarget) async throws -> Void) async throws {
        do {
            let target = try AdminTarget.resolve(dataDirectory: dataDirectory, node: node, token: token)
            let lock = try JobLock(job: job, directory: target.lockDirectory)
            defer { withExtendedLifetime(lock) {} }
            if let recordAs, case .offline(let dataDirectory) = target {
                try await JobHistory(dataDirectory: dataDirectory).run(recordAs) { try await body(target) }
            } else {
                try await body(target)
            }
        } catch let error as AdminError {
            FileHandle.standardError.write(Data("guts \(command): \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("guts \(command): \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
