import Foundation

/// The file a running node leaves in its data dir (`node.json`) so that admin commands
/// run against the same data dir can find it instead of fighting it for the RocksDB lock.
public struct NodeDiscovery: Codable, Sendable, Equatable {
    public var url: String
    public var pid: Int32

    public static let fileName = "node.json"

    public func write(to dataDirectory: String) {
        guard let data = try? JSONEncoder().encode(self) else { return }
        FileManager.default.createFile(atPath: dataDirectory + "/" + Self.fileName, contents: data, attributes: [.posixPermissions: 0o644])
    }

    /// The node recorded in `dataDirectory`, if its process is still alive.
    public static func read(from dataDirectory: String) -> NodeDiscovery? {
        guard let data = FileManager.default.contents(atPath: dataDirectory + "/" + fileName),
              let discovery = try? JSONDecoder().decode(NodeDiscovery.self, from: data),
              kill(discovery.pid, 0) == 0 else { return nil }
        return discovery
    }
}
