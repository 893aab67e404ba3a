import Foundation
import GutsMaintenance
#if canImport(Glibc)
import Glibc
#endif

/// Picks where an administration command does its work.
public enum AdminTarget {
    /// `--node` wins; otherwise a live node recorded in `<data-dir>/node.json`; otherwise
    /// the data directory itself.
    public static func backend(
        dataDirectory: String?, node: String?, token: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        progress: @escaping @Sendable (String) -> Void
    ) throws -> any AdminBackend {
        let dataDirectory = dataDirectory ?? environment["GUTS_DATA_DIR"]
        if let client = nodeClient(dataDirectory: dataDirectory, node: node, token: token, environment: environment) {
            return RemoteAdminBackend(client: client, dataDirectory: dataDirectory)
        }
        guard let dataDirectory else { throw AdminError.usage("give --data-dir or --node") }
        return LocalAdminBackend(dataDirectory: dataDirectory, progress: progress)
    }

    /// A client of `--node`, or of the live node recorded in `<data-dir>/node.json`; nil
    /// when neither names one. The token comes from `--token`, then `GUTS_ADMIN_TOKEN`,
    /// then `<data-dir>/admin-token`.
    public static func nodeClient(
        dataDirectory: String?, node: String?, token: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> NodeClient? {
        let dataDirectory = dataDirectory ?? environment["GUTS_DATA_DIR"]
        guard let url = node ?? dataDirectory.flatMap(runningNodeURL) else { return nil }
        func resolveToken() -> String? {
            if let token, !token.isEmpty { return token }
            if let value = environment["GUTS_ADMIN_TOKEN"], !value.isEmpty { return value }
            guard let dataDirectory,
                  let text = try? String(contentsOfFile: dataDirectory + "/admin-token", encoding: .utf8) else { return nil }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        return NodeClient(baseURL: url, token: resolveToken())
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
}
