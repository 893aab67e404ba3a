import Foundation
import GutsMaintenance
import GutsGit
import HTTPTypes
import Hummingbird
import NIOCore

/// Archive downloads: `/api/repos/{o}/{n}/tarball/{ref}`, `.../zipball/{ref}` and
/// `/{o}/{n}/archive/{ref}.tar.gz|.zip`, built once into `<data-dir>/archives`.
///
/// Responses carry `Content-Disposition`, a strong `ETag` naming the exact bytes and,
/// when the ref is a full commit id, immutable caching.
struct ArchiveController: Sendable {
    let node: GutsNode

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/repos/:owner/:name/tarball/**") { request, context in
            try await archive(request, repositoryName: APIController.name(context), ref: Self.ref(context), format: .tarGz)
        }
        router.get("/api/repos/:owner/:name/zipball/**") { request, context in
            try await archive(request, repositoryName: APIController.name(context), ref: Self.ref(context), format: .zip)
        }
    }

    private static func ref(_ context: BasicRequestContext) -> String {
        context.parameters.getCatchAll().joined(separator: "/")
    }

    /// Handles `archive/{ref}.{tar.gz|zip}` from the git-style routes.
    func archive(_ request: Request, repositoryName: String, spec: String) async throws -> Response {
        for format in [ArchiveFormat.tarGz, .zip, .tar] where spec.hasSuffix("." + format.fileExtension) {
            return try await archive(request, repositoryName: repositoryName, ref: String(spec.dropLast(format.fileExtension.count + 1)), format: format)
        }
        throw NodeError(.notFound, "unknown archive format in \(spec)")
    }

    func archive(_ request: Request, repositoryName: String, ref: String, format: ArchiveFormat) async throws -> Response {
        let handle = try await APIController(node: node).readableRepository(repositoryName, request: request)
        guard !ref.isEmpty else { throw NodeError(.notFound, "ref required") }
        if ref.utf8.count == ObjectID.hexLength, let id = ObjectID(hex: ref) {
            let reachable = node.reachableCommits
            guard try await node.blockingPool.run({ try reachable.contains(id, in: handle) }) else {
                throw NodeError(.notFound, "object \(id.hex) not found")
            }
        }
        let served: ArchiveService.Served
        do {
            served = try await node.archiveService.archive(repository: handle.repository, ref: ref, format: format)
        } catch let error as AdminError {
            throw AdminController.nodeError(error)
        }
        var headers = ContentController.cachingHeaders(etag: served.etag, immutable: served.immutable)
        if ContentController.matches(request.headers[.ifNoneMatch], etag: served.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = format.contentType
        headers[.contentDisposition] = "attachment; filename=\"\(served.fileName.replacingOccurrences(of: "\"", with: "_"))\""
        headers[.contentLength] = String(served.entry.bytes)
        return Response(status: .ok, headers: headers, body: Self.stream(file: served.entry.path, pool: node.blockingPool))
    }

    /// The file's bytes a chunk at a time, each read on the pool, each written before the
    /// next is read (the connection's backpressure), so a large archive never sits in memory.
    static func stream(file path: String, pool: BlockingPool, chunkBytes: Int = 256 << 10) -> ResponseBody {
        ResponseBody { writer in
            guard let handle = FileHandle(forReadingAtPath: path) else { throw NodeError(.notFound, "archive file vanished") }
            defer { try? handle.close() }
            while true {
                let chunk = try await pool.run { try handle.read(upToCount: chunkBytes) ?? Data() }
                if chunk.isEmpty { break }
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
    }
}
