import Foundation
import GutsMaintenance

/// Where the CLI runs an administration operation: on a data directory it opens itself
/// (`LocalAdminBackend`) or through the node that holds it (`RemoteAdminBackend`). Each
/// subcommand parses its arguments into an `AdminOperation` and makes one call here.
public protocol AdminBackend: Sendable {
    /// Where operations run, for progress lines: "offline /srv/guts" or "through http://…".
    var location: String { get }

    /// Runs `operation` under its job lock.
    func perform<Operation: AdminOperation>(_ operation: Operation) async throws -> Operation.Report

    /// One archive of `repository` at `ref`: its default file name and its bytes.
    func archive(repository: String, ref: String, format: ArchiveFormat) async throws -> (fileName: String, bytes: Data)

    /// Releases what the backend opened (an offline data directory's storage).
    func close()
}
