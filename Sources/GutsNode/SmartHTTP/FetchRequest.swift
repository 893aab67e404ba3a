import GutsGit

/// What a fetching client asked for, from a protocol v0 upload-pack request or a v2 `fetch` command.
struct FetchRequest: Sendable, Equatable {
    var wants: [ObjectID] = []
    var haves: [ObjectID] = []
    var clientShallows: [ObjectID] = []
    var depth: Int?
    /// A partial clone's filter (`filter <spec>`).
    var filter: ObjectFilter?
    var done = false
    /// v0 capabilities from the first want line; v2 boolean arguments (`ofs-delta`, `thin-pack`...).
    var capabilities: Set<String> = []

    /// The most `want`, `have` and `shallow` lines one request may carry, each.
    static let maxLines = 100_000

    var includeTag: Bool { capabilities.contains("include-tag") }
    var noProgress: Bool { capabilities.contains("no-progress") }
    /// Whether the pack may hold deltas against objects the client has but is not sent.
    var thinPack: Bool { capabilities.contains("thin-pack") }
    /// `deepen N` counts from the client's shallow commits rather than from the wants.
    var deepenRelative: Bool { capabilities.contains("deepen-relative") }
    var offsetDeltas: Bool { capabilities.contains("ofs-delta") }

    /// Parses the pkt-lines of a v0 (stateless) upload-pack request.
    static func parseVersion0(_ body: [UInt8]) throws -> FetchRequest {
        var reader = PktLineReader(body)
        var request = FetchRequest()
        while let packet = try reader.next() {
            guard let line = packet.text else { continue }
            try request.apply(line: line, firstWantCarriesCapabilities: true)
        }
        guard !request.wants.isEmpty else { throw GitProtocolError.badRequest("no want lines") }
        return request
    }

    /// Parses the argument lines of a v2 `fetch` command.
    static func parseVersion2(arguments: [String]) throws -> FetchRequest {
        var request = FetchRequest()
        for line in arguments {
            try request.apply(line: line, firstWantCarriesCapabilities: false)
        }
        return request
    }

    private mutating func apply(line: String, firstWantCarriesCapabilities: Bool) throws {
        let (keyword, argument) = Self.split(line)
        switch keyword {
        case "want":
            var words = argument.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = words.first else { throw GitProtocolError.badRequest("empty want") }
            try Self.checkCount(wants, "want")
            wants.append(try Self.objectID(first, in: line))
            if firstWantCarriesCapabilities && wants.count == 1 {
                words.removeFirst()
                capabilities.formUnion(words.map(String.init))
            }
        case "have":
            try Self.checkCount(haves, "have")
            haves.append(try Self.objectID(Substring(argument), in: line))
        case "shallow":
            try Self.checkCount(clientShallows, "shallow")
            clientShallows.append(try Self.objectID(Substring(argument), in: line))
        case "deepen":
            guard let depth = Int(argument), depth > 0 else { throw GitProtocolError.badRequest("bad depth in \(GitProtocolError.quote(line))") }
            self.depth = depth
        case "done":
            done = true
        case "filter":
            guard filter == nil else { throw GitProtocolError.badRequest("more than one filter line") }
            do {
                filter = try ObjectFilter(parsing: argument)
            } catch let error as ObjectFilterError {
                throw GitProtocolError.badRequest(error.description)
            }
        case "deepen-since", "deepen-not", "want-ref":
            throw GitProtocolError.badRequest("\(GitProtocolError.quote(keyword)) is not supported by this server")
        default:
            // v2 boolean arguments and ignorable extensions (`thin-pack`, `ofs-delta`, `deepen-relative`...).
            capabilities.insert(keyword)
        }
    }

    static func split(_ line: String) -> (keyword: String, argument: String) {
        guard let space = line.firstIndex(of: " ") else { return (line, "") }
        return (String(line[..<space]), String(line[line.index(after: space)...]))
    }

    static func objectID(_ text: Substring, in line: String) throws -> ObjectID {
        guard let id = ObjectID(hex: text) else { throw GitProtocolError.badRequest("invalid object id in \(GitProtocolError.quote(line))") }
        return id
    }

    private static func checkCount(_ lines: [ObjectID], _ keyword: String) throws {
        guard lines.count < maxLines else {
            throw GitProtocolError.badRequest("too many \(keyword) lines (limit \(maxLines))")
        }
    }
}
