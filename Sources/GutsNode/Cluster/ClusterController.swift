import Foundation
import GutsCluster
import GutsGit
import GutsStorage
import HTTPTypes
import Hummingbird

/// The node-to-node endpoints of a cluster, for the bearer of the cluster token only.
///
/// - `POST /internal/cluster/objects` `{repository, wants, haves}`: a pack of what the
///   wants reach and the haves do not (409 when a want is not here);
/// - `POST /internal/cluster/replicate` `{repository, source, wants}`: fetches from
///   `source` what this node lacks of what the wants reach, stores it durably, answers 200;
/// - `POST /internal/cluster/refs-changed` `{repository}`: a push committed; the local refs
///   are brought to etcd's before the answer.
struct ClusterController: Sendable {
    let node: GutsNode
    let cluster: ClusterNode

    struct ObjectsRequest: Decodable {
        var repository: String
        var wants: [String]
        var haves: [String]
    }

    struct ReplicateRequest: Decodable {
        var repository: String
        var source: String
        var wants: [String]
    }

    struct RefsChangedRequest: Decodable {
        var repository: String
    }

    /// Requests are lists of ids: 1 MiB holds about 25,000.
    static let maxRequestBytes = 1 << 20

    func register(on router: Router<BasicRequestContext>) {
        router.post("/internal/cluster/objects") { request, _ in try await objects(request) }
        router.post("/internal/cluster/replicate") { request, _ in try await replicate(request) }
        router.post("/internal/cluster/refs-changed") { request, _ in
            let body: RefsChangedRequest = try await decode(request)
            guard (try? RepositoryName.validate(body.repository)) != nil else { throw NodeError(.unprocessableContent, "invalid repository name") }
            await cluster.synchronizeForRead(body.repository)
            return Response(status: .noContent)
        }
    }

    private func objects(_ request: Request) async throws -> Response {
        let body: ObjectsRequest = try await decode(request)
        let (wants, haves) = (try Self.ids(body.wants), try Self.ids(body.haves))
        let storage = node.storage
        guard let repository = try await cluster.pool.run({ try storage.repositories.get(name: body.repository) }) else {
            throw NodeError(.notFound, "repository \(body.repository) not found")
        }
        let pack: [UInt8]
        do {
            pack = try await cluster.pool.run { try ClusterObjects.pack(repository, storage: storage, wants: wants, haves: haves) }
        } catch let error as GitProtocolError {
            throw NodeError(.conflict, "\(error)")
        }
        return Response(status: .ok, headers: [.contentType: "application/x-git-packfile"], body: .init(byteBuffer: ByteBuffer(bytes: pack)))
    }

    private func replicate(_ request: Request) async throws -> Response {
        let body: ReplicateRequest = try await decode(request)
        let wants = try Self.ids(body.wants)
        do {
            try RepositoryName.validate(body.repository)
        } catch {
            throw NodeError(.unprocessableContent, "\(error)")
        }
        guard let source = URL(string: body.source), ["http", "https"].contains(source.scheme ?? "") else {
            throw NodeError(.badRequest, "source must be an http(s) URL")
        }
        let storage = node.storage
        // Private until the push commits and the node reads the repository's settings from etcd.
        let repository = try await cluster.pool.run { try ClusterNode.localRepository(body.repository, in: storage, meta: RepositoryMeta(isPrivate: true)) }
        let missing = try await cluster.pool.run {
            let objects = storage.objects(repository)
            return try wants.filter { try !objects.contains($0) }
        }
        do {
            if missing.isEmpty {
                try await cluster.pool.run { try ClusterObjects.syncDurably(storage) }
            } else {
                try await cluster.fetch(missing, of: body.repository, into: repository, preferring: [], from: body.source)
            }
        } catch let error as ClusterError {
            throw NodeError(.badGateway, "\(error)")
        }
        return try JSONResponse.make(["stored": missing.count])
    }

    private func decode<Body: Decodable>(_ request: Request) async throws -> Body {
        try authorize(request)
        let bytes = try await RequestBodyReader(limit: Self.maxRequestBytes).collect(request)
        do {
            return try JSONDecoder().decode(Body.self, from: Data(bytes))
        } catch {
            throw NodeError(.badRequest, "malformed cluster request")
        }
    }

    private func authorize(_ request: Request) throws {
        let presented = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        guard !cluster.token.isEmpty, AccessControl.constantTimeEquals(presented, cluster.token) else {
            throw NodeError(.unauthorized, "cluster token required")
        }
    }

    static func ids(_ hex: [String]) throws -> [ObjectID] {
        try hex.map { text in
            guard let id = ObjectID(hex: text) else { throw NodeError(.badRequest, "'\(text.prefix(64))' is not an object id") }
            return id
        }
    }
}
