import GutsGit
import GutsStorage

/// What upload-pack sends back for one request: negotiation lines, then maybe a pack.
struct UploadPackReply: Sendable {
    var preamble: [UInt8]
    var pack: PackJob?
    var sideBand: SideBand = .none
    var progress: Bool = false
    /// Bytes after the pack (a flush when side-banded).
    var closing: [UInt8] = []
}

/// The server side of `git fetch`/`git clone` over stateless smart HTTP, protocols v0 and v2.
///
/// Negotiation follows `multi_ack_detailed`: every have the server also has is acknowledged
/// as common, and once any common commit is known the server says it is ready, so the client
/// sends `done` and gets a pack of everything its common commits do not reach.
struct UploadPack {
    let repository: RepositoryHandle
    let agent: String
    /// Wants must be reachable from a ref (nothing unreachable is served).
    var reachable: ReachableCommits?
    /// Where full clones find the repository's last one.
    var clonePlans: ClonePlans?

    static let version0Capabilities = [
        "multi_ack_detailed", "side-band-64k", "side-band", "thin-pack", "ofs-delta", "shallow",
        "deepen-relative", "no-progress", "include-tag", "filter", "allow-tip-sha1-in-want",
        "allow-reachable-sha1-in-want", "object-format=sha1",
    ]

    /// `GET info/refs?service=git-upload-pack`, in the protocol the client asked for.
    func advertisement(version2: Bool) throws -> [UInt8] {
        if version2 {
            var out = [UInt8]()
            for line in ["version 2", "agent=\(agent)", "ls-refs=unborn", "fetch=shallow filter", "server-option", "object-info", "object-format=sha1"] {
                out += try PktLine.encode(line: line)
            }
            return out + PktLine.flush
        }
        let refs = try AdvertisedRef.collect(from: repository).refs
        var capabilities = Self.version0Capabilities
        if let head = refs.first(where: { $0.name == "HEAD" })?.symrefTarget {
            capabilities.append("symref=HEAD:\(head)")
        }
        capabilities.append("agent=\(agent)")
        return try RefAdvertisement.version0(service: .uploadPack, refs: refs, capabilities: capabilities)
    }

    /// `POST git-upload-pack` in protocol v0.
    func serveVersion0(_ body: [UInt8]) throws -> UploadPackReply {
        let request = try FetchRequest.parseVersion0(body)
        let planner = FetchPlanner(repository: repository)
        try planner.validateWants(request.wants, reachable: reachable)
        let detailed = request.capabilities.contains("multi_ack_detailed")
        var reply = UploadPackReply(preamble: [])
        let shallowUpdate = try planner.shallowUpdate(for: request)
        if request.depth != nil {
            reply.preamble += try Self.shallowLines(shallowUpdate) + PktLine.flush
        }
        let common = try planner.commonHaves(request.haves)
        if detailed {
            reply.preamble += try common.flatMap { try PktLine.encode(line: "ACK \($0.hex) common") }
        }
        guard request.done else {
            // A request that ends after its wants (the first round of a shallow fetch)
            // gets only the shallow list, as git's upload-pack answers it.
            if request.haves.isEmpty { return reply }
            if detailed, let last = common.last {
                reply.preamble += try PktLine.encode(line: "ACK \(last.hex) ready")
            }
            reply.preamble += try PktLine.encode(line: "NAK")
            return reply
        }
        reply.preamble += try PktLine.encode(line: common.last.map { "ACK \($0.hex)" } ?? "NAK")
        reply.sideBand = SideBand(capabilities: request.capabilities)
        reply.progress = !request.noProgress
        reply.pack = packJob(request: request, common: common, shallowUpdate: shallowUpdate)
        reply.closing = reply.sideBand == .none ? [] : PktLine.flush
        return reply
    }

    /// `POST git-upload-pack` in protocol v2: `ls-refs` or `fetch`.
    func serveVersion2(_ body: [UInt8]) throws -> UploadPackReply {
        var reader = PktLineReader(body)
        let (header, terminator) = try reader.readSection()
        guard let command = header.first(where: { $0.hasPrefix("command=") })?.dropFirst("command=".count) else {
            throw GitProtocolError.badRequest("no command in protocol v2 request")
        }
        var arguments = [String]()
        if terminator == .delimiter {
            arguments = try reader.readSection().lines
        }
        switch command {
        case "ls-refs":
            let (head, refs) = try AdvertisedRef.collect(from: repository)
            let unborn = refs.contains(where: { $0.name == "HEAD" }) ? nil : head
            return UploadPackReply(preamble: try RefAdvertisement.lsRefs(refs: refs, unbornHead: unborn, arguments: arguments))
        case "fetch":
            return try fetchVersion2(FetchRequest.parseVersion2(arguments: arguments))
        case "object-info":
            return UploadPackReply(preamble: try objectInfo(arguments: arguments))
        default:
            throw GitProtocolError.badRequest("unknown command \(GitProtocolError.quote(command))")
        }
    }

    private func fetchVersion2(_ request: FetchRequest) throws -> UploadPackReply {
        guard !request.wants.isEmpty else { throw GitProtocolError.badRequest("no want lines") }
        let planner = FetchPlanner(repository: repository)
        try planner.validateWants(request.wants, reachable: reachable)
        let common = try planner.commonHaves(request.haves)
        var reply = UploadPackReply(preamble: [])
        if !request.done {
            reply.preamble += try PktLine.encode(line: "acknowledgments")
            if common.isEmpty {
                reply.preamble += try PktLine.encode(line: "NAK")
            } else {
                reply.preamble += try common.flatMap { try PktLine.encode(line: "ACK \($0.hex)") }
            }
            guard !common.isEmpty || request.haves.isEmpty else {
                reply.preamble += PktLine.flush
                return reply
            }
            reply.preamble += try PktLine.encode(line: "ready")
            reply.preamble += PktLine.delimiter
        }
        let shallowUpdate = try planner.shallowUpdate(for: request)
        if request.depth != nil || !request.clientShallows.isEmpty {
            reply.preamble += try PktLine.encode(line: "shallow-info") + Self.shallowLines(shallowUpdate) + PktLine.delimiter
        }
        reply.preamble += try PktLine.encode(line: "packfile")
        reply.sideBand = .large
        reply.progress = !request.noProgress
        reply.pack = packJob(request: request, common: common, shallowUpdate: shallowUpdate)
        reply.closing = PktLine.flush
        return reply
    }

    /// The v2 `object-info` command: the size of each `oid` asked for (an unknown one gets
    /// an empty size, as git answers), so a partial clone can learn sizes without fetching.
    func objectInfo(arguments: [String]) throws -> [UInt8] {
        var wantsSize = false
        var ids = [ObjectID]()
        for line in arguments {
            let (keyword, argument) = FetchRequest.split(line)
            switch keyword {
            case "size": wantsSize = true
            case "oid":
                guard ids.count < FetchRequest.maxLines else { throw GitProtocolError.badRequest("too many oid lines (limit \(FetchRequest.maxLines))") }
                ids.append(try FetchRequest.objectID(Substring(argument), in: line))
            default: throw GitProtocolError.badRequest("unknown object-info argument \(GitProtocolError.quote(line))")
            }
        }
        guard wantsSize else { return PktLine.flush }
        var out = try PktLine.encode(line: "size")
        for id in ids {
            let size = try repository.objects.get(id)?.size
            out += try PktLine.encode(line: "\(id.hex) \(size.map(String.init) ?? "")")
        }
        return out + PktLine.flush
    }

    /// `shallow` and `unshallow` lines telling the client how its shallow boundary moves.
    static func shallowLines(_ update: FetchPlanner.ShallowUpdate) throws -> [UInt8] {
        try update.shallow.flatMap { try PktLine.encode(line: "shallow \($0.hex)") }
            + update.unshallow.flatMap { try PktLine.encode(line: "unshallow \($0.hex)") }
    }

    /// The pack for a finished negotiation, planned lazily (once per shared generation).
    private func packJob(request: FetchRequest, common: [ObjectID], shallowUpdate: FetchPlanner.ShallowUpdate) -> PackJob {
        let (repository, clonePlans) = (self.repository, self.clonePlans)
        return PackJob(key: .init(repositoryID: repository.repository.id, request: request, common: common)) {
            let plan = try FetchPlanner(repository: repository, clonePlans: clonePlans).plan(for: request, common: common, shallowUpdate: shallowUpdate)
            return PackProducer(ids: plan.objects, objects: repository.objects,
                                thinBases: request.thinPack ? plan.clientHas : [], offsetDeltas: request.offsetDeltas)
        }
    }
}
