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
        let handle = try await repository(repositoryName, for: service, request: request, creating: false)
        let version2 = service == .uploadPack && Self.wantsVersion2(request)
        let body: [UInt8] = try await BlockingPool.run {
            guard let handle else { return ReceivePack.emptyAdvertisement(agent: agent) }
            switch service {
            case .uploadPack: return try UploadPack(repository: handle, agent: agent).advertisement(version2: version2)
            case .receivePack: return try ReceivePack(repository: handle, agent: agent).advertisement()
            }
        }
        node.metrics.recordGitBytes(service: service, sent: body.count, received: 0)
        return Response(status: .ok, headers: Self.headers(contentType: service.advertisementContentType), body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func uploadPack(_ request: Request, repositoryName: String) async throws -> Response {
        guard let handle = try await repository(repositoryName, for: .uploadPack, request: request, creating: false) else {
            throw NodeError(.notFound, "repository \(repositoryName) not found")
        }
        let body = try await RequestBodyReader(limit: node.configuration.maxFetchRequestBytes).collect(request)
        let version2 = Self.wantsVersion2(request)
        let agent = self.agent
        let reply: UploadPackReply
        do {
            reply = try await BlockingPool.run {
                let uploadPack = UploadPack(repository: handle, agent: agent)
                return version2 ? try uploadPack.serveVersion2(body) : try uploadPack.serveVersion0(body)
            }
        } catch let error as GitProtocolError {
            return gitError(error, service: .uploadPack)
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
                    try await writer.write(ByteBuffer(bytes: reply.sideBand.error("guts: \(error)")))
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
        guard let handle = try await repository(repositoryName, for: .receivePack, request: request, creating: true) else {
            throw NodeError(.notFound, "repository \(repositoryName) not found")
        }
        let temporaryDirectory = node.temporaryDirectory
        let (packets, packPath) = try await RequestBodyReader(limit: node.configuration.maxRequestBodyBytes)
            .spoolPush(request, directory: temporaryDirectory)
        defer { if let packPath { try? FileManager.default.removeItem(atPath: packPath) } }
        let command: ReceivePackRequest
        do {
            command = try ReceivePackRequest.parse(packets)
        } catch let error as GitProtocolError {
            return gitError(error, service: .receivePack)
        }
        let received = packets.reduce(0) { $0 + $1.count } + (packPath.flatMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int } ?? 0)
        let agent = self.agent
        let report = try await node.pushSerializer.run(repository: handle.repository.id) {
            try await BlockingPool.run { ReceivePack(repository: handle, agent: agent).apply(command, packPath: packPath) }
        }
        node.metrics.recordPush(succeeded: report.succeeded)
        node.logger.info("push", metadata: [
            "repository": "\(repositoryName)",
            "refs": "\(report.refs.map { "\($0.name)=\($0.error ?? "ok")" }.joined(separator: ","))",
            "unpack": "\(report.unpackError ?? "ok")",
        ])
        let sideBand = SideBand(capabilities: command.capabilities)
        var body = [UInt8]()
        if command.capabilities.contains("report-status") {
            body = sideBand.data(report.encoded)
            if sideBand != .none { body += PktLine.flush }
        }
        node.metrics.recordGitBytes(service: .receivePack, sent: body.count, received: received)
        return Response(status: .ok, headers: Self.headers(contentType: GitService.receivePack.resultContentType), body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Finds the repository and checks the caller may use `service` on it. For a push by
    /// a writer to a missing repository, creates it when the node allows that; returns nil
    /// for a missing repository a writer could create by pushing.
    private func repository(_ name: String, for service: GitService, request: Request, creating: Bool) async throws -> RepositoryHandle? {
        let level = node.access.level(for: request.headers)
        if service == .receivePack && level < .write {
            throw NodeError.unauthorized("pushing requires a token with write access")
        }
        let storage = node.storage
        let createOnPush = node.configuration.createOnPush
        let repository: Repository? = try await BlockingPool.run {
            if let existing = try storage.repositories.get(name: name) { return existing }
            guard service == .receivePack, createOnPush else { return nil }
            try RepositoryName.validate(name)
            return creating ? try storage.repositories.create(name: name) : nil
        }
        guard let repository else {
            if service == .receivePack && createOnPush { return nil }
            throw NodeError(.notFound, "repository \(name) not found")
        }
        if repository.isPrivate && level < .write {
            throw NodeError.unauthorized("repository \(name) is private")
        }
        return RepositoryHandle(repository: repository, storage: storage)
    }

    /// A protocol error git prints as `remote error: ...` (an `ERR` packet with status 200).
    private func gitError(_ error: GitProtocolError, service: GitService) -> Response {
        Response(
            status: .ok,
            headers: Self.headers(contentType: service.resultContentType),
            body: .init(byteBuffer: ByteBuffer(bytes: PktLine.encode(line: "ERR \(error)")))
        )
    }

    static func wantsVersion2(_ request: Request) -> Bool {
        guard let header = request.headers[HTTPField.Name("Git-Protocol")!] else { return false }
        return header.split(separator: ":").contains("version=2")
    }

    static func headers(contentType: String) -> HTTPFields {
        [.contentType: contentType, .cacheControl: "no-cache, max-age=0, must-revalidate", .expires: "Fri, 01 Jan 1980 00:00:00 GMT", HTTPField.Name("Pragma")!: "no-cache"]
    }
}

extension ReceivePack {
    /// The advertisement for a repository a push will create.
    static func emptyAdvertisement(agent: String) -> [UInt8] {
        RefAdvertisement.version0(service: .receivePack, refs: [], capabilities: capabilities + ["agent=\(agent)"])
    }
}
