import Foundation
import GutsGit
import GutsStorage
import HTTPTypes
import Hummingbird
import Logging

/// Serves git's smart HTTP protocol: ref advertisement, fetch (v0 and v2) and push.
struct SmartHTTPController: Sendable {
    let node: GutsNode

    private var agent: String { "guts/\(GutsNode.version)" }

    func infoRefs(_ request: Request, repositoryName: String) async throws -> Response {
        guard let serviceName = request.uri.queryParameters["service"].map(String.init),
              let service = GitService(rawValue: serviceName) else {
            throw NodeError(.forbidden, "dumb HTTP is not supported; use a git client with smart HTTP")
        }
        await node.cluster?.synchronizeForRead(repositoryName)
        let repository = try await self.repository(repositoryName, for: service, request: request)
        let version2 = service == .uploadPack && Self.wantsVersion2(request)
        let storage = node.storage
        let agent = self.agent
        let body: [UInt8] = try await node.blockingPool.run {
            switch service {
            case .uploadPack:
                // safe: `repository(_:for:request:)` returns nil only for receive-pack.
                return try UploadPack(repository: RepositoryHandle(repository: repository!, storage: storage), agent: agent).advertisement(version2: version2)
            case .receivePack:
                return try ReceivePack(storage: storage, repository: repository, name: repositoryName, agent: agent).advertisement()
            }
        }
        node.metrics.recordGitBytes(service: service, sent: body.count, received: 0)
        return Response(status: .ok, headers: Self.headers(contentType: service.advertisementContentType), body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func uploadPack(_ request: Request, repositoryName: String) async throws -> Response {
        await node.cluster?.synchronizeForRead(repositoryName)
        guard let repository = try await repository(repositoryName, for: .uploadPack, request: request) else {
            throw NodeError(.notFound, "repository \(repositoryName) not found")
        }
        let handle = RepositoryHandle(repository: repository, storage: node.storage)
        let body = try await RequestBodyReader(limit: node.configuration.maxFetchRequestBytes).collect(request)
        let version2 = Self.wantsVersion2(request)
        let agent = self.agent
        let reply: UploadPackReply
        let (reachable, clonePlans) = (node.reachableCommits, node.clonePlans)
        do {
            reply = try await node.blockingPool.run {
                var uploadPack = UploadPack(repository: handle, agent: agent, reachable: reachable)
                uploadPack.clonePlans = clonePlans
                return version2 ? try uploadPack.serveVersion2(body) : try uploadPack.serveVersion0(body)
            }
        } catch let error as GitProtocolError {
            return gitError(error, service: .uploadPack)
        } catch let error as PktLineError {
            throw NodeError(.badRequest, "\(error)")
        }
        let metrics = node.metrics
        let logger = node.logger
        let generation = reply.pack.map { node.packGenerations.join($0) }
        let responseBody = ResponseBody { writer in
            defer { generation?.release() }
            var sent = reply.preamble.count
            try await writer.write(ByteBuffer(bytes: reply.preamble))
            if let generation {
                do {
                    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: generation.path))
                    defer { try? handle.close() }
                    if reply.progress, let count = await generation.objectCount() {
                        try await writer.write(ByteBuffer(bytes: reply.sideBand.progress("guts: sending \(count) objects\n")))
                    }
                    var offset = 0
                    while let chunk = try await generation.read(from: offset, handle: handle) {
                        offset += chunk.count
                        let framed = reply.sideBand.data(chunk)
                        sent += framed.count
                        try await writer.write(ByteBuffer(bytes: framed))
                    }
                } catch let timeout as RequestTimeoutError {
                    throw timeout
                } catch {
                    logger.error("pack generation failed", metadata: ["repository": "\(repositoryName)", "error": "\(error)"])
                    try await writer.write(ByteBuffer(bytes: reply.sideBand.error("guts: pack generation failed")))
                }
                try await writer.write(ByteBuffer(bytes: reply.closing))
                sent += reply.closing.count
            }
            metrics.recordGitBytes(service: .uploadPack, sent: sent, received: body.count)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: Self.headers(contentType: GitService.uploadPack.resultContentType), body: responseBody)
    }

    func receivePack(_ request: Request, repositoryName: String) async throws -> Response {
        let repository = try await self.repository(repositoryName, for: .receivePack, request: request)
        let packets: [[UInt8]], packPath: String?
        do {
            (packets, packPath) = try await RequestBodyReader(limit: node.configuration.maxRequestBodyBytes)
                .spoolPush(request, directory: node.temporaryDirectory, pool: node.blockingPool)
        } catch let error as GitProtocolError {
            return gitError(error, service: .receivePack)
        } catch let failure as RequestBodyReader.SpoolFailure {
            let command: ReceivePackRequest
            do {
                command = try ReceivePackRequest.parse(failure.commands)
            } catch let error as GitProtocolError {
                return gitError(error, service: .receivePack)
            }
            node.logger.warning("push refused: its pack cannot be stored", metadata: ["repository": "\(repositoryName)", "reason": "\(failure.reason)"])
            return try reportResponse(PushReport(unpackError: failure.reason, refs: command.commands.map { ($0.nameBytes, "unpacker error") }), for: command)
        }
        defer { if let packPath { try? FileManager.default.removeItem(atPath: packPath) } }
        let command: ReceivePackRequest
        do {
            command = try ReceivePackRequest.parse(packets)
        } catch let error as GitProtocolError {
            return gitError(error, service: .receivePack)
        }
        let received = packets.reduce(0) { $0 + $1.count } + (packPath.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int } ?? 0)
        let (storage, agent) = (node.storage, self.agent)
        let blockingPool = node.blockingPool
        let strictObjects = node.configuration.strictObjects
        let webhooks = node.webhooks.store
        let pusher = node.access.caller(for: request.headers).name ?? "anonymous"
        let cluster = node.cluster
        let report = try await node.pushSerializer.run(repository: repositoryName) {
            let clusterContext = await cluster?.preparePush(repositoryName)
            let report = try await blockingPool.run {
                // A push that creates the repository looks again inside the serializer: an
                // earlier push to the same name may have created it meanwhile.
                let current = try repository ?? storage.repositories.get(name: repositoryName)
                var receivePack = ReceivePack(storage: storage, repository: current, name: repositoryName, agent: agent)
                receivePack.strictObjects = strictObjects
                if let current, try webhooks.hasHooks(repositoryID: current.id) { receivePack.webhookPusher = pusher }
                if let cluster, let clusterContext {
                    receivePack.beforeRefTransaction = { try cluster.commitPushBlocking(repositoryName, updates: $0, context: clusterContext) }
                }
                return receivePack.apply(command, packPath: packPath)
            }
            if let cluster, report.succeeded, clusterContext?.state?.head == nil { await cluster.publishHead(repositoryName) }
            return report
        }
        node.webhooks.wake()
        node.metrics.recordPush(succeeded: report.succeeded)
        node.logger.info("push", metadata: [
            "repository": "\(repositoryName)", "refs": "\(report.summary)", "unpack": "\(report.unpackError ?? "ok")",
        ])
        let response = try reportResponse(report, for: command)
        node.metrics.recordGitBytes(service: .receivePack, sent: response.body.contentLength ?? 0, received: received)
        return response
    }

    /// The report-status reply to a push, side-banded as the client asked.
    private func reportResponse(_ report: PushReport, for command: ReceivePackRequest) throws -> Response {
        let sideBand = SideBand(capabilities: command.capabilities)
        var body = [UInt8]()
        if command.capabilities.contains("report-status") {
            body = sideBand.data(try report.encoded())
            if sideBand != .none { body += PktLine.flush }
        }
        return Response(status: .ok, headers: Self.headers(contentType: GitService.receivePack.resultContentType), body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Finds the repository and checks the caller may use `service` on it; nil for a
    /// missing repository that a push by this writer will create.
    ///
    /// To a caller who may not read it, a private repository looks exactly like a
    /// missing one: both answer 401 with a challenge, so git asks for credentials and a
    /// stranger learns nothing about which private names exist.
    private func repository(_ name: String, for service: GitService, request: Request) async throws -> Repository? {
        let level = node.access.level(for: request.headers)
        if service == .receivePack && level < .write {
            throw NodeError.unauthorized("pushing requires a token with write access")
        }
        let storage = node.storage
        let found = try await node.blockingPool.run { try storage.repositories.get(name: name) }
        if let found, !found.isPrivate || level >= .write { return found }
        guard level >= .write else { throw NodeError.unauthorized("repository \(name) not found") }
        guard found == nil, service == .receivePack, node.configuration.createOnPush else {
            throw NodeError(.notFound, "repository \(name) not found")
        }
        do {
            try RepositoryName.validate(name)
        } catch {
            throw NodeError(.unprocessableContent, "\(error)")
        }
        return nil
    }

    /// A protocol error git prints as `remote error: ...` (an `ERR` packet with status 200).
    private func gitError(_ error: GitProtocolError, service: GitService) -> Response {
        let line = (try? PktLine.encode(line: "ERR \(error)")) ?? PktLine.flush
        return Response(status: .ok, headers: Self.headers(contentType: service.resultContentType), body: .init(byteBuffer: ByteBuffer(bytes: line)))
    }

    static func wantsVersion2(_ request: Request) -> Bool {
        guard let header = request.headers[HTTPField.Name("Git-Protocol")!] else { return false }  // safe: a constant, valid header name
        return header.split(separator: ":").contains("version=2")
    }

    static func headers(contentType: String) -> HTTPFields {
        [.contentType: contentType, .cacheControl: "no-cache, max-age=0, must-revalidate", .expires: "Fri, 01 Jan 1980 00:00:00 GMT", HTTPField.Name("Pragma")!: "no-cache"]  // safe: a constant, valid header name
    }
}
