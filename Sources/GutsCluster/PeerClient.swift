import AsyncHTTPClient
import Foundation
import GutsGit
import NIOCore

/// Node-to-node requests (`/internal/cluster/...`), authenticated with the cluster token.
public struct PeerClient: Sendable {
    let token: String
    let http: HTTPClient
    public var timeout: TimeAmount

    /// Bounds the pack one fetch brings in memory.
    public static let maxPackBytes = 2 << 30

    public init(token: String, timeout: TimeAmount = .seconds(30), http: HTTPClient = .shared) {
        self.token = token
        self.timeout = timeout
        self.http = http
    }

    /// Asks `peer` to store durably the objects `wants` reach in `repository`, fetching
    /// what it lacks from `source`.
    public func replicate(peer: String, repository: String, source: String, wants: [ObjectID]) async throws {
        _ = try await post(peer, "/internal/cluster/replicate", ["repository": repository, "source": source, "wants": wants.map(\.hex)])
    }

    /// A pack of what `wants` reach in `repository` on `peer` and `haves` do not (thin:
    /// it may hold deltas against what `haves` reach).
    public func objects(peer: String, repository: String, wants: [ObjectID], haves: [ObjectID]) async throws -> [UInt8] {
        try await post(peer, "/internal/cluster/objects", ["repository": repository, "wants": wants.map(\.hex), "haves": haves.map(\.hex)])
    }

    /// Tells `peer` that `repository`'s refs changed in etcd, so it brings its local refs
    /// up to date now rather than at its next anti-entropy pass.
    public func refsChanged(peer: String, repository: String) async throws {
        _ = try await post(peer, "/internal/cluster/refs-changed", ["repository": repository])
    }

    private func post(_ peer: String, _ path: String, _ body: [String: Any]) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: peer + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: Self.maxPackBytes)
        guard (200..<300).contains(response.status.code) else {
            throw ClusterError.peer(url: peer, status: Int(response.status.code), message: String(buffer: bytes.getSlice(at: bytes.readerIndex, length: min(bytes.readableBytes, 300)) ?? bytes))
        }
        return Array(buffer: bytes)
    }
}
