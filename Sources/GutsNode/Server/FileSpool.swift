import Foundation

/// A temporary file that collects a streamed body; writes happen on the blocking pool
/// in batches so the event loop never waits on the disk.
final class FileSpool: @unchecked Sendable {
    let path: String
    private let handle: FileHandle
    private let pool: BlockingPool
    private var pending = [UInt8]()
    private(set) var size = 0
    private static let batchBytes = 1 << 20

    init(directory: String, pool: BlockingPool) throws {
        self.pool = pool
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/push-\(UInt64.random(in: 0...UInt64.max)).pack"
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw NodeError(.insufficientStorage, "cannot create a temporary file for the push")
        }
        self.handle = handle
    }

    func append(_ bytes: [UInt8]) async throws {
        pending += bytes
        size += bytes.count
        if pending.count >= Self.batchBytes { try await flush() }
    }

    func close() async throws {
        try await flush()
        try handle.close()
    }

    func remove() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    private func flush() async throws {
        guard !pending.isEmpty else { return }
        let data = Data(pending)
        pending.removeAll(keepingCapacity: true)
        let handle = self.handle
        do {
            try await pool.runAdmitted { try handle.write(contentsOf: data) }
        } catch {
            throw NodeError(.insufficientStorage, "cannot store the pushed pack: \(ReceivePack.unpackReason(error))")
        }
    }
}
