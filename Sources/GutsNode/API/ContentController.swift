import GutsGit
import GutsStorage
import HTTPTypes
import Hummingbird

/// Raw file contents at `/{owner}/{name}/raw/{ref}/{path}`, with caching headers that
/// match how the ref was named.
struct ContentController: Sendable {
    let node: GutsNode

    /// A file as a commit's tree holds it at a path: immutable, so cached by commit and path.
    struct File: Sendable {
        var blobID: ObjectID
        var body: [UInt8]
    }

    /// Files up to this size go into `GutsNode.files`.
    static let maxCachedFileBytes = 256 << 10

    func raw(_ request: Request, repositoryName: String, components: [String]) async throws -> Response {
        let handle = try await APIController(node: node).readableRepository(repositoryName, request: request)
        let components = try RefResolver.decode(components)
        let (reachable, files) = (node.reachableCommits, node.files)
        let (blobID, body, immutable): (ObjectID, [UInt8], Bool) = try await node.blockingPool.run {
            let resolver = RefResolver(repository: handle, reachable: reachable)
            guard let resolved = try resolver.resolve(components) else { throw NodeError(.notFound, "ref not found") }
            var hasher = SHA1()
            hasher.update("raw \(resolved.commit.hex) \(resolved.path.joined(separator: "/"))".utf8)
            let key = ObjectCacheKey(repository: handle.repository.id, id: hasher.finalize())
            if let file = files.get(key) { return (file.blobID, file.body, resolved.immutable) }
            guard let entry = try resolver.entry(at: resolved.path, in: resolved.commit) else {
                throw NodeError(.notFound, "path not found")
            }
            guard entry.mode != .directory, entry.mode != .gitlink, let blob = try handle.load(entry.id), blob.type == .blob else {
                throw NodeError(.unprocessableContent, "path is not a file")
            }
            if blob.body.count <= Self.maxCachedFileBytes {
                files.insert(key, File(blobID: entry.id, body: blob.body), cost: blob.body.count + 64)
            }
            return (entry.id, blob.body, resolved.immutable)
        }
        let etag = "\"\(blobID.hex)\""
        var headers = Self.cachingHeaders(etag: etag, immutable: immutable)
        if Self.matches(request.headers[.ifNoneMatch], etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = body.contains(0) ? "application/octet-stream" : "text/plain; charset=utf-8"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"  // safe: a constant, valid header name
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Immutable content (named by a full id) may be cached forever; content named by a
    /// branch must be revalidated, which the strong ETag makes cheap.
    static func cachingHeaders(etag: String, immutable: Bool) -> HTTPFields {
        [
            .eTag: etag,
            .cacheControl: immutable ? "public, max-age=31536000, immutable" : "public, max-age=0, must-revalidate",
        ]
    }

    static func matches(_ ifNoneMatch: String?, etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        return ifNoneMatch.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }
    }
}
