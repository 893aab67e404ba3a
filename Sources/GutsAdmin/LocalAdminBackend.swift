import Foundation
import GutsMaintenance

/// Runs operations on a data directory that no node holds. Its storage and job locks are
/// held from the first operation to `close()`, so repeated reads (`cache-stats
/// --interval`) count from one open. Jobs that `JobHistory` lists are recorded for the node's `/metrics`.
public struct LocalAdminBackend: AdminBackend {
    public let dataDirectory: String
    let context: AdminContext
    let locks: JobLocks

    public init(dataDirectory: String, progress: @escaping @Sendable (String) -> Void) {
        self.dataDirectory = dataDirectory
        context = AdminContext(offline: dataDirectory, progress: progress)
        locks = JobLocks(directory: JobLock.directory(dataDirectory: dataDirectory))
    }

    public var location: String { "offline \(dataDirectory)" }

    public func perform<Operation: AdminOperation>(_ operation: Operation) async throws -> Operation.Report {
        try locks.acquire(Operation.job)
        guard JobHistory.jobs.contains(Operation.job) else { return try await operation.run(in: context) }
        return try await JobHistory(dataDirectory: dataDirectory).run(Operation.job) { try await operation.run(in: context) }
    }

    public func archive(repository: String, ref: String, format: ArchiveFormat) async throws -> (fileName: String, bytes: Data) {
        guard let record = try context.storage().repositories.get(name: repository) else { throw AdminError.notFound("repository \(repository)") }
        let served = try await context.archiveService().archive(repository: record, ref: ref, format: format)
        return (served.fileName, try Data(contentsOf: URL(fileURLWithPath: served.entry.path)))
    }

    public func close() {
        context.close()
        locks.releaseAll()
    }
}
