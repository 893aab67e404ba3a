import GutsGit
import GutsStorage
import HTTPTypes
import Hummingbird

/// Raw file contents at `/{owner}/{name}/raw/{ref}/{path}`, with caching headers that
/// match how the ref was named.
struct ContentController: Sendable {
    let node: GutsNode

    /// A file as a commit's tree holds it at a path, ready to send: immutable, so cached by
    /// commit and path.
    struct File: Sendable {
        var etag: String
        var body: ByteBuffer
        var isBinary: Bool

        init(blobID: ObjectID, body: [UInt8]) {
            etag = "\"\(blobID.hex)\""
            self.body = ByteBuffer(bytes: body)
            isBinary = body.contains(0)
        }
    }

    /// Files up to this size go into `GutsNode.files`.
    static let maxCachedFileBytes = 256 << 10
    static let noSniff = HTTPField.Name("X-Content-Type-Options")!  // safe: a constant, valid header name

    func raw(_ request: Request, repositoryName: String, components: [String]) async throws -> Response {
        let handle = try await APIController(node: node).readableRepository(repositoryName, request: request)
        let components = try RefResolver.decode(components)
        // A full commit id names the same file until the repository's refs change (which
        // can make the commit unreachable, or a ref shadow the id): such a file, once
        // resolved, is answered from memory, with no trip to the blocking pool.
        let generation = handle.refs.generation
        let pinnedKey = ObjectID.isHex(components.first ?? "")
            ? Self.key(handle, "raw@\(generation) \(components.joined(separator: "/"))") : nil
        let policy = ResponseCachePolicy.untilRefsChange(repositoryID: handle.repository.id, generation: generation)
        if let pinnedKey, let file = node.files.get(pinnedKey) { return Self.response(file, immutable: true, request: request, policy: policy) }
        let (reachable, files) = (node.reachableCommits, node.files)
        let (file, immutable): (File, Bool) = try await node.blockingPool.run {
            let resolver = RefResolver(repository: handle, reachable: reachable)
            guard let resolved = try resolver.resolve(components) else { throw NodeError(.notFound, "ref not found") }
            let key = (resolved.immutable ? pinnedKey : nil)
                ?? Self.key(handle, "raw \(resolved.commit.hex) \(resolved.path.joined(separator: "/"))")
            if let file = files.get(key) { return (file, resolved.immutable) }
            guard let entry = try resolver.entry(at: resolved.path, in: resolved.commit) else {
                throw NodeError(.notFound, "path not found")
            }
            guard entry.mode != .directory, entry.mode != .gitlink, let blob = try handle.load(entry.id), blob.type == .blob else {
                throw NodeError(.unprocessableContent, "path is not a file")
            }
            let file = File(blobID: entry.id, body: blob.body)
            if blob.body.count <= Self.maxCachedFileBytes {
                files.insert(key, file, cost: blob.body.count + 64)
            }
            return (file, resolved.immutable)
        }
        return Self.response(file, immutable: immutable, request: request, policy: policy)
    }

    private static func key(_ handle: RepositoryHandle, _ text: String) -> ObjectCacheKey {
        var hasher = SHA1()
        hasher.update(text.utf8)
        return ObjectCacheKey(repository: handle.repository.id, id: hasher.finalize())
    }

    private static func response(_ file: File, immutable: Bool, request: Request, policy: ResponseCachePolicy) -> Response {
        var headers = Self.cachingHeaders(etag: file.etag, immutable: immutable)
        if Self.matches(request.headers[.ifNoneMatch], etag: file.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = file.isBinary ? "application/octet-stream" : "text/plain; charset=utf-8"
        headers[Self.noSniff] = "nosniff"
        var response = Response(status: .ok, headers: headers, body: .init(byteBuffer: file.body))
        response.allowCaching(policy)
        return response
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
