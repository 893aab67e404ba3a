import Foundation
import GutsMaintenance

/// Runs operations through the node that holds a data directory, at each operation's
/// route. The CLI still takes the job's lock (held until `close()`), in the data dir when
/// it knows it, so two runs from one machine exclude each other before the node is asked.
public struct RemoteAdminBackend: AdminBackend {
    public let client: NodeClient
    let locks: JobLocks

    public init(client: NodeClient, dataDirectory: String?) {
        self.client = client
        if let dataDirectory {
            locks = JobLocks(directory: JobLock.directory(dataDirectory: dataDirectory))
        } else {
            let safe = client.baseURL.map { $0.isLetter || $0.isNumber ? $0 : "_" }
            locks = JobLocks(directory: NSTemporaryDirectory() + "/guts-locks/" + String(safe))
        }
    }

    public var location: String { "through \(client.baseURL)" }

    public func perform<Operation: AdminOperation>(_ operation: Operation) async throws -> Operation.Report {
        try locks.acquire(Operation.job)
        return try await client.perform(operation)
    }

    public func archive(repository: String, ref: String, format: ArchiveFormat) async throws -> (fileName: String, bytes: Data) {
        let encodedRef = ref.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? ref
        let bytes = try await client.send("GET", "/\(repository)/archive/\(encodedRef).\(format.fileExtension)")
        let name = String(repository.split(separator: "/").last ?? "")
        return (ArchiveService.prefix(repositoryName: name, ref: ref) + "." + format.fileExtension, bytes)
    }

    public func close() {
        locks.releaseAll()
    }
}
