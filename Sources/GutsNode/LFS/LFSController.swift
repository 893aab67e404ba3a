import Foundation
import GutsStorage
import HTTPTypes
import Hummingbird
import NIOCore

/// The Git LFS server under `/{owner}/{name}.git/info/lfs/`: the batch API, the basic
/// transfer adapter (`objects/{oid}` PUT and GET, `verify`) and the locking API.
///
/// Reading follows the repository's visibility; uploads, verify and locks need a write
/// token. A private or missing repository answers an anonymous caller 401 either way, so
/// git-lfs asks for credentials and a stranger cannot tell which private names exist.
/// Objects stream to and from disk in chunks, so an object of any size costs a bounded
/// amount of memory.
struct LFSController: Sendable {
    let node: GutsNode

    /// Objects one batch request may name.
    static let maxBatchObjects = 1000
    /// Bytes gathered from an upload before they are written (and hashed) on the blocking pool.
    static let writeChunkBytes = 1 << 20
    static let readChunkBytes = 256 << 10
    /// Seconds an action handed out by the batch API stays valid.
    static let actionLifetime = 3600

    func handle(_ request: Request, repositoryName: String, path: [String]) async throws -> Response {
        do {
            switch (request.method, path.count, path.first) {
            case (.post, 2, "objects") where path[1] == "batch": return try await batch(request, repositoryName)
            case (.put, 2, "objects"): return try await upload(request, repositoryName, oid: path[1])
            case (.get, 2, "objects"): return try await download(request, repositoryName, oid: path[1])
            case (.post, 1, "verify"): return try await verify(request, repositoryName)
            case (.post, 1, "locks"): return try await createLock(request, repositoryName)
            case (.get, 1, "locks"): return try await listLocks(request, repositoryName)
            case (.post, 2, "locks") where path[1] == "verify": return try await verifyLocks(request, repositoryName)
            case (.post, 3, "locks") where path[2] == "unlock": return try await unlock(request, repositoryName, id: path[1])
            default: throw LFSError(.notFound, "no such Git LFS endpoint")
            }
        } catch let error as NodeError {
            throw LFSError(error)
        }
    }

    // MARK: Batch and transfers

    private func batch(_ request: Request, _ name: String) async throws -> Response {
        let input = try await decode(LFSMessages.BatchRequest.self, request)
        guard input.operation == "upload" || input.operation == "download" else {
            throw LFSError(.unprocessableContent, "operation must be upload or download, not '\(input.operation.prefix(40))'")
        }
        if let algorithm = input.hashAlgo, algorithm != "sha256" {
            throw LFSError(.conflict, "unsupported hash algorithm '\(algorithm.prefix(40))'; this server stores sha256 objects")
        }
        guard input.objects.count <= Self.maxBatchObjects else {
            throw LFSError(.contentTooLarge, "a batch may name at most \(Self.maxBatchObjects) objects")
        }
        let uploading = input.operation == "upload"
        let (repository, _) = try await self.repository(name, request, write: uploading, createIfMissing: uploading)
        let lfs = node.lfsObjects
        let stored: [Int?] = try await node.blockingPool.run {
            input.objects.map { lfs.size(repositoryID: repository.id, oid: $0.oid) }
        }
        let base = objectsURL(request, repository: repository)
        let header = request.headers[.authorization].map { ["Authorization": $0] }
        let maxBytes = node.configuration.lfsMaxObjectBytes
        let results = zip(input.objects, stored).map { object, storedSize -> LFSMessages.ObjectResult in
            var result = LFSMessages.ObjectResult(oid: object.oid, size: object.size)
            func action(_ href: String) -> LFSMessages.Action {
                LFSMessages.Action(href: href, header: header, expiresIn: Self.actionLifetime)
            }
            guard LFSObjectStore.isValidOID(object.oid) else {
                result.error = .init(code: 422, message: "invalid object id: expected 64 lowercase hex digits")
                return result
            }
            guard object.size >= 0 else {
                result.error = .init(code: 422, message: "size must be zero or more")
                return result
            }
            if uploading {
                if storedSize == object.size { return result }
                guard object.size <= maxBytes else {
                    result.error = .init(code: 422, message: "object of \(object.size) bytes exceeds the limit of \(maxBytes) bytes")
                    return result
                }
                result.authenticated = header != nil ? true : nil
                result.actions = ["upload": action("\(base)/objects/\(object.oid)"), "verify": action("\(base)/verify")]
            } else {
                guard let storedSize else {
                    result.error = .init(code: 404, message: "object not found")
                    return result
                }
                result.size = storedSize
                result.authenticated = header != nil ? true : nil
                result.actions = ["download": action("\(base)/objects/\(object.oid)")]
            }
            return result
        }
        return try Self.json(LFSMessages.BatchResponse(objects: results))
    }

    /// Streams the body to a temporary file, hashing as it goes; installs it only when
    /// its length and SHA-256 are what the URL and `Content-Length` promise.
    private func upload(_ request: Request, _ name: String, oid: String) async throws -> Response {
        let (repository, _) = try await self.repository(name, request, write: true, createIfMissing: false)
        guard LFSObjectStore.isValidOID(oid) else { throw LFSError(.unprocessableContent, "invalid object id: expected 64 lowercase hex digits") }
        guard let length = request.headers[.contentLength].flatMap(Int.init), length >= 0 else {
            throw LFSError(.lengthRequired, "an LFS upload needs Content-Length")
        }
        let limit = node.configuration.lfsMaxObjectBytes
        guard length <= limit else { throw LFSError(.contentTooLarge, "object of \(length) bytes exceeds the limit of \(limit) bytes") }
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            throw LFSError(.unsupportedMediaType, "LFS uploads are stored as sent; Content-Encoding \(encoding.prefix(40)) is not accepted")
        }
        let lfs = node.lfsObjects
        let pool = node.blockingPool
        let upload = try await pool.run { try lfs.beginUpload(repositoryID: repository.id, oid: oid, size: length) }
        do {
            var pending = [UInt8]()
            pending.reserveCapacity(min(length, Self.writeChunkBytes))
            for try await buffer in request.body {
                pending.append(contentsOf: buffer.readableBytesView)
                if pending.count >= Self.writeChunkBytes {
                    let chunk = pending
                    pending.removeAll(keepingCapacity: true)
                    try await pool.runAdmitted { try upload.write(chunk) }
                }
            }
            let last = pending
            let created = try await pool.runAdmitted {
                try upload.write(last)
                return try upload.finish()
            }
            node.metrics.recordLFSBytes(received: length, sent: 0)
            node.logger.info("lfs upload", metadata: ["repository": "\(name)", "oid": "\(oid)", "bytes": "\(length)", "new": "\(created)"])
            return Response(status: .ok, headers: [.contentType: LFSMessages.contentType])
        } catch let error as LFSObjectError {
            upload.abandon()
            switch error {
            case .sizeMismatch: throw LFSError(.badRequest, error.description)
            case .hashMismatch, .invalidOID: throw LFSError(.unprocessableContent, error.description)
            case .io(let message):
                let full = message.localizedCaseInsensitiveContains("space")
                throw LFSError(full ? .insufficientStorage : .internalServerError, "cannot store the object: \(ReceivePack.unpackReason(error))")
            }
        } catch {
            upload.abandon()
            throw error
        }
    }

    private func download(_ request: Request, _ name: String, oid: String) async throws -> Response {
        let (repository, _) = try await self.repository(name, request, write: false, createIfMissing: false)
        guard LFSObjectStore.isValidOID(oid) else { throw LFSError(.unprocessableContent, "invalid object id: expected 64 lowercase hex digits") }
        let lfs = node.lfsObjects
        let opened: (FileHandle, Int)? = try await node.blockingPool.run {
            guard let size = lfs.size(repositoryID: repository.id, oid: oid),
                  let handle = FileHandle(forReadingAtPath: lfs.path(repositoryID: repository.id, oid: oid)) else { return nil }
            return (handle, size)
        }
        guard let opened else { throw LFSError(.notFound, "object not found") }
        let (handle, size) = opened
        let pool = node.blockingPool
        let metrics = node.metrics
        let body = ResponseBody(contentLength: size) { writer in
            defer { try? handle.close() }
            var sent = 0
            while sent < size {
                let want = min(Self.readChunkBytes, size - sent)
                let chunk = try await pool.runAdmitted { try handle.read(upToCount: want) }
                guard let chunk, !chunk.isEmpty else { break }
                try await writer.write(ByteBuffer(bytes: chunk))
                sent += chunk.count
            }
            metrics.recordLFSBytes(received: 0, sent: sent)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream", .contentLength: String(size)], body: body)
    }

    private func verify(_ request: Request, _ name: String) async throws -> Response {
        let (repository, _) = try await self.repository(name, request, write: true, createIfMissing: false)
        let object = try await decode(LFSMessages.ObjectSpec.self, request)
        let lfs = node.lfsObjects
        let stored = try await node.blockingPool.run { lfs.size(repositoryID: repository.id, oid: object.oid) }
        guard let stored else { throw LFSError(.notFound, "object \(object.oid.prefix(64)) was not uploaded") }
        guard stored == object.size else {
            throw LFSError(.unprocessableContent, "object \(object.oid) is stored with \(stored) bytes, not \(object.size)")
        }
        return Response(status: .ok, headers: [.contentType: LFSMessages.contentType], body: .init(byteBuffer: ByteBuffer(string: "{}\n")))
    }

    // MARK: Locks

    private func createLock(_ request: Request, _ name: String) async throws -> Response {
        let (repository, caller) = try await self.repository(name, request, write: true, createIfMissing: false)
        let input = try await decode(LFSMessages.CreateLockRequest.self, request)
        guard !input.path.isEmpty, input.path.utf8.count <= LFSLockStore.maxPathBytes, !input.path.contains("\0") else {
            throw LFSError(.unprocessableContent, "path must be 1 to \(LFSLockStore.maxPathBytes) bytes with no NUL")
        }
        let locks = node.lfsLocks
        let owner = caller.name ?? "anonymous"
        let outcome = try await node.blockingPool.run { try locks.create(repositoryID: repository.id, path: input.path, owner: owner) }
        switch outcome {
        case .created(let lock):
            return try Self.json(LFSMessages.LockResponse(lock: Self.view(lock)), status: .created)
        case .exists(let lock):
            return try Self.json(LFSMessages.LockResponse(lock: Self.view(lock), message: "\(lock.path) is already locked by \(lock.owner)"), status: .conflict)
        }
    }

    private func listLocks(_ request: Request, _ name: String) async throws -> Response {
        let (repository, _) = try await self.repository(name, request, write: false, createIfMissing: false)
        let query = request.uri.queryParameters
        let limit = try Self.limit(query.get("limit"))
        let cursor = try Self.nonEmpty(query.get("cursor")).map(Self.lockID)
        let path = Self.nonEmpty(query.get("path"))
        let id = try Self.nonEmpty(query.get("id")).map(Self.lockID)
        let locks = node.lfsLocks
        let (page, next): ([LFSLock], String?) = try await node.blockingPool.run {
            if let id {
                guard let found = try locks.get(repositoryID: repository.id, id: id), path == nil || found.path == path else { return ([], nil) }
                return ([found], nil)
            }
            let all = try locks.list(repositoryID: repository.id, path: path, after: cursor, limit: limit + 1)
            return (Array(all.prefix(limit)), all.count > limit ? all[limit - 1].id.description : nil)
        }
        return try Self.json(LFSMessages.LockList(locks: page.map(Self.view), nextCursor: next))
    }

    private func verifyLocks(_ request: Request, _ name: String) async throws -> Response {
        let (repository, caller) = try await self.repository(name, request, write: true, createIfMissing: false)
        let input = try await decode(LFSMessages.VerifyLocksRequest.self, request)
        let limit = try Self.limit(input.limit.map(String.init))
        let cursor = try input.cursor.flatMap { $0.isEmpty ? nil : $0 }.map(Self.lockID)
        let locks = node.lfsLocks
        let all = try await node.blockingPool.run { try locks.list(repositoryID: repository.id, after: cursor, limit: limit + 1) }
        let page = all.prefix(limit)
        return try Self.json(LFSMessages.VerifyLocksResponse(
            ours: page.filter { $0.owner == caller.name }.map(Self.view),
            theirs: page.filter { $0.owner != caller.name }.map(Self.view),
            nextCursor: all.count > limit ? all[limit - 1].id.description : nil))
    }

    private func unlock(_ request: Request, _ name: String, id text: String) async throws -> Response {
        let (repository, caller) = try await self.repository(name, request, write: true, createIfMissing: false)
        let input = try await decode(LFSMessages.UnlockRequest.self, request, allowEmpty: true)
        let id = try Self.lockID(text)
        let locks = node.lfsLocks
        let force = input?.force ?? false
        let removed: LFSLock = try await node.blockingPool.run {
            guard let lock = try locks.get(repositoryID: repository.id, id: id) else { throw LFSError(.notFound, "no lock \(id)") }
            guard lock.owner == caller.name || force else {
                throw LFSError(.forbidden, "\(lock.path) is locked by \(lock.owner); unlock with --force to break it")
            }
            guard let removed = try locks.delete(repositoryID: repository.id, id: id) else { throw LFSError(.notFound, "no lock \(id)") }
            return removed
        }
        return try Self.json(LFSMessages.LockResponse(lock: Self.view(removed)))
    }

    // MARK: Helpers

    /// The repository if the caller may use it this way; with `createIfMissing`, a write
    /// token may create it (as its push would), since git-lfs uploads before git pushes.
    private func repository(_ name: String, _ request: Request, write: Bool, createIfMissing: Bool) async throws -> (Repository, AccessControl.Caller) {
        let caller = node.access.caller(for: request.headers)
        if write && caller.level < .write {
            throw LFSError(.unauthorized, "uploading LFS objects and locking need a token with write access")
        }
        let storage = node.storage
        let found = try await node.blockingPool.run { try storage.repositories.get(name: name) }
        if let found, !found.isPrivate || caller.level >= .write { return (found, caller) }
        guard caller.level >= .write else { throw LFSError(.unauthorized, "repository \(name) not found") }
        guard found == nil, createIfMissing, node.configuration.createOnPush else {
            throw LFSError(.notFound, "repository \(name) not found")
        }
        let created: Repository = try await node.blockingPool.run {
            do {
                return try storage.repositories.create(name: name)
            } catch StorageError.repositoryExists {
                guard let existing = try storage.repositories.get(name: name) else { throw LFSError(.conflict, "repository \(name) is being changed; retry") }
                return existing
            } catch let error as StorageError {
                throw LFSError(.unprocessableContent, "\(error)")
            }
        }
        node.logger.info("repository created by an LFS upload", metadata: ["repository": "\(name)"])
        return (created, caller)
    }

    /// `<public URL>/<owner>/<name>.git/info/lfs`.
    private func objectsURL(_ request: Request, repository: Repository) -> String {
        "\(node.address.base)/\(repository.fullName).git/info/lfs"
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ request: Request) async throws -> Value {
        // safe: allowEmpty false never yields nil.
        try await decode(type, request, allowEmpty: false)!
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ request: Request, allowEmpty: Bool) async throws -> Value? {
        let body = try await RequestBodyReader(limit: node.configuration.maxAPIBodyBytes).collect(request)
        if allowEmpty && body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: Data(body))
        } catch {
            throw LFSError(.badRequest, "request body is not valid JSON for this Git LFS endpoint")
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONResponse.encoder.encode(value)
        return Response(status: status, headers: [.contentType: LFSMessages.contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func view(_ lock: LFSLock) -> LFSMessages.LockView {
        LFSMessages.LockView(id: lock.id.description, path: lock.path, lockedAt: lock.lockedAt, owner: .init(name: lock.owner))
    }

    static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    static func lockID(_ text: String) throws -> UInt64 {
        guard let id = UInt64(text) else { throw LFSError(.notFound, "no lock \(text.prefix(40))") }
        return id
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text, !text.isEmpty else { return 100 }
        guard let value = Int(text), (1...1000).contains(value) else { throw LFSError(.badRequest, "limit must be between 1 and 1000") }
        return value
    }
}
