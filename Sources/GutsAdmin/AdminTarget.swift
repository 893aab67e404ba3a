import Foundation
import GutsStorage
#if canImport(Glibc)
import Glibc
#endif

/// Where an administration command does its work: directly on a data directory, or
/// through the node that holds it.
public enum AdminTarget: Sendable {
    case offline(dataDirectory: String)
    case online(NodeClient, dataDirectory: String?)

    /// Picks the target: `--node` wins; otherwise a live node recorded in
    /// `<data-dir>/node.json`; otherwise the data directory itself. The token comes from
    /// `--token`, then `GUTS_ADMIN_TOKEN`, then `<data-dir>/admin-token`.
    public static func resolve(
        dataDirectory: String?, node: String?, token: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AdminTarget {
        let dataDirectory = dataDirectory ?? environment["GUTS_DATA_DIR"]
        func resolveToken(_ fallbackDirectory: String?) -> String? {
            if let token, !token.isEmpty { return token }
            if let value = environment["GUTS_ADMIN_TOKEN"], !value.isEmpty { return value }
            guard let fallbackDirectory,
                  let text = try? String(contentsOfFile: fallbackDirectory + "/admin-token", encoding: .utf8) else { return nil }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        if let node {
            return .online(NodeClient(baseURL: node, token: resolveToken(dataDirectory)), dataDirectory: dataDirectory)
        }
        guard let dataDirectory else { throw AdminError.usage("give --data-dir or --node") }
        if let url = runningNodeURL(dataDirectory: dataDirectory) {
            return .online(NodeClient(baseURL: url, token: resolveToken(dataDirectory)), dataDirectory: dataDirectory)
        }
        return .offline(dataDirectory: dataDirectory)
    }

    /// The URL in `<data-dir>/node.json` when the process it names is alive.
    static func runningNodeURL(dataDirectory: String) -> String? {
        struct Discovery: Decodable {
            var url: String
            var pid: Int32
        }
        guard let data = FileManager.default.contents(atPath: dataDirectory + "/node.json"),
              let discovery = try? JSONDecoder().decode(Discovery.self, from: data),
              kill(discovery.pid, 0) == 0 || errno == EPERM else { return nil }
        return discovery.url
    }

    /// Where job locks live: `<data-dir>/locks`, or a per-node folder in the temp dir.
    public var lockDirectory: String {
        switch self {
        case .offline(let dataDirectory), .online(_, .some(let dataDirectory)):
            return JobLock.directory(dataDirectory: dataDirectory)
        case .online(let client, nil):
            let safe = client.baseURL.map { $0.isLetter || $0.isNumber ? $0 : "_" }
            return NSTemporaryDirectory() + "/guts-locks/" + String(safe)
        }
    }

    /// The repositories named (all, by name, when `names` is empty).
    public static func select(_ names: [String], in storage: Storage) throws -> [Repository] {
        guard !names.isEmpty else { return try storage.repositories.list(limit: Int.max).sorted { $0.fullName < $1.fullName } }
        return try names.map { name in
            guard let repository = try storage.repositories.get(name: name) else { throw AdminError.notFound("repository \(name)") }
            return repository
        }
    }

    /// Opens the storage of an offline data directory (`<data-dir>/db`), which must exist.
    /// A directory held by a process that left no `node.json` is busy (exit 75).
    public static func openStorage(dataDirectory: String) throws -> Storage {
        var options = Storage.Options()
        options.rocksDB.createIfMissing = false
        options.objectCacheEntries = 10_000
        options.objectCacheBytes = 64 << 20
        guard FileManager.default.fileExists(atPath: dataDirectory + "/db") else {
            throw AdminError.usage("\(dataDirectory) holds no Guts data (no db directory)")
        }
        do {
            return try Storage.open(dataDirectory: dataDirectory + "/db", options: options)
        } catch StorageError.dataDirectoryInUse(let path) {
            throw AdminError.jobBusy(job: "storage", lockPath: path + "/LOCK")
        }
    }
}
