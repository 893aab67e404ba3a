import Foundation
import GutsGit
import NIOHTTP1

/// A git push over smart HTTP (protocol v0) without the stock `git`: reads the receive-pack
/// ref advertisement, sends one ref update with a pack built in memory, and checks the
/// side-band `report-status` answer.
public struct NativePushClient: Sendable {
    /// How the client proves write access.
    public enum Credentials: Sendable, Equatable {
        case none
        /// `Authorization: Basic`, as git sends the user and password of a remote URL.
        case basic(user: String, password: String)
        /// `Authorization: Bearer`.
        case bearer(String)
    }

    /// A ref update the server accepted.
    public struct Update: Sendable, Equatable {
        public var ref: String
        public var old: ObjectID
        public var new: ObjectID
        /// Bytes of the pack sent.
        public var packBytes: Int
    }

    public let host: String
    public let port: Int
    public var credentials: Credentials
    /// Sent as the `agent=` capability.
    public var agent = "guts-bench"
    private var exchange: HTTPExchange

    public init(host: String, port: Int, credentials: Credentials = .none) {
        self.host = host
        self.port = port
        self.credentials = credentials
        self.exchange = HTTPExchange(host: host, port: port)
    }

    /// The refs the server advertises to a pusher, by full name; empty for an empty repository
    /// (or a missing one the server would create on push).
    public func advertisedRefs(repository: String) async throws -> [String: ObjectID] {
        let path = "/\(repository).git/info/refs?service=git-receive-pack"
        let response = try await exchange.send(method: .GET, path: path, headers: headers(accept: "*/*"))
        try Self.check(response, path: path, contentType: "application/x-git-receive-pack-advertisement")
        return try Self.parseAdvertisement(response.body)
    }

    /// Pushes a new commit holding one file with `content` on top of `branch`'s current tip
    /// (or as the branch's first commit): one advertisement request and one push request.
    public func pushCommit(
        repository: String, branch: String, content: [UInt8], message: String = "guts bench push\n"
    ) async throws -> Update {
        let ref = "refs/heads/\(branch)"
        let old = try await advertisedRefs(repository: repository)[ref] ?? .zero
        let built = Self.commitObjects(content: content, parent: old.isZero ? nil : old, message: message)
        return try await push(repository: repository, ref: ref, old: old, new: built.commit, objects: built.objects)
    }

    /// Asks the server to move `ref` from `old` to `new`, sending `objects` as a pack; throws
    /// unless the server reports `unpack ok` and `ok <ref>`.
    public func push(repository: String, ref: String, old: ObjectID, new: ObjectID, objects: [RawObject]) async throws -> Update {
        let pack = try PackWriter.makePack(objects: objects, useDeltas: false)
        var body = try PktLine.encode(Array("\(old.hex) \(new.hex) \(ref)\u{0}report-status side-band-64k agent=\(agent)".utf8))
        body += PktLine.flush
        body += pack
        let path = "/\(repository).git/git-receive-pack"
        let response = try await exchange.send(
            method: .POST, path: path,
            headers: headers(accept: "application/x-git-receive-pack-result")
                + [("content-type", "application/x-git-receive-pack-request")],
            body: body)
        try Self.check(response, path: path, contentType: "application/x-git-receive-pack-result")
        try Self.parseReport(response.body, ref: ref)
        return Update(ref: ref, old: old, new: new, packBytes: pack.count)
    }

    /// A blob of `content`, a tree holding only that blob as `bench.txt`, and a commit of the
    /// tree with `parent`; the commit's id and all three objects.
    public static func commitObjects(
        content: [UInt8], parent: ObjectID?, message: String, date: Date = Date()
    ) -> (commit: ObjectID, objects: [RawObject]) {
        let blob = RawObject(type: .blob, body: Blob(content: content).serialized())
        let tree = RawObject(type: .tree, body: Tree(entries: [.init(mode: .regular, name: "bench.txt", id: blob.id)]).serialized())
        let signature = Signature(
            name: "guts bench", email: "bench@guts.invalid", time: Int64(date.timeIntervalSince1970), timezone: "+0000")
        let commit = RawObject(type: .commit, body: Commit(
            tree: tree.id, parents: parent.map { [$0] } ?? [], author: signature, committer: signature,
            message: Array(message.utf8)).serialized())
        return (commit.id, [commit, tree, blob])
    }

    /// The refs of a v0 receive-pack advertisement (with or without the smart-HTTP service header).
    static func parseAdvertisement(_ body: [UInt8]) throws -> [String: ObjectID] {
        var reader = PktLineReader(body)
        var refs: [String: ObjectID] = [:]
        var sawRefSection = false
        do {
            while let packet = try reader.next() {
                guard var text = packet.text else {
                    if sawRefSection { return refs }
                    sawRefSection = true  // the flush after `# service=...`, or an empty ref list
                    continue
                }
                if text.hasPrefix("ERR ") { throw NativePushError.remoteError(String(text.dropFirst(4))) }
                if text.hasPrefix("# service=") { continue }
                sawRefSection = true
                if let nul = text.firstIndex(of: "\u{0}") { text = String(text[..<nul]) }
                let parts = text.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let id = ObjectID(hex: parts[0]) else {
                    throw NativePushError.malformedAdvertisement("bad ref line '\(text)'")
                }
                let name = String(parts[1])
                if name == "capabilities^{}" || name.hasSuffix("^{}") { continue }
                refs[name] = id
            }
        } catch let error as PktLineError {
            throw NativePushError.malformedAdvertisement("\(error)")
        }
        guard sawRefSection else { throw NativePushError.malformedAdvertisement("no ref list") }
        return refs
    }

    /// Checks a side-band `report-status` answer says `unpack ok` and `ok <ref>`.
    static func parseReport(_ body: [UInt8], ref: String) throws {
        var reader = PktLineReader(body)
        var report: [UInt8] = []
        do {
            demultiplex: while let packet = try reader.next() {
                guard case .data(let payload) = packet, let band = payload.first else { break demultiplex }
                if let text = packet.text, text.hasPrefix("ERR ") { throw NativePushError.remoteError(String(text.dropFirst(4))) }
                switch band {
                case 1: report += payload.dropFirst()
                case 2: continue
                case 3:
                    let message = String(decoding: payload.dropFirst(), as: UTF8.self)
                    throw NativePushError.remoteError(message.trimmingCharacters(in: .whitespacesAndNewlines))
                default: throw NativePushError.malformedReport("unknown side-band \(band)")
                }
            }
            var lines = PktLineReader(report)
            let (status, terminator) = try lines.readSection()
            guard terminator == .flush else { throw NativePushError.malformedReport("report-status not ended by a flush") }
            guard let unpack = status.first, unpack.hasPrefix("unpack ") else {
                throw NativePushError.malformedReport("no unpack status")
            }
            guard unpack == "unpack ok" else { throw NativePushError.unpackFailed(String(unpack.dropFirst("unpack ".count))) }
            for line in status.dropFirst() {
                if line == "ok \(ref)" { return }
                if line.hasPrefix("ng \(ref) ") {
                    throw NativePushError.rejected(ref: ref, reason: String(line.dropFirst("ng \(ref) ".count)))
                }
            }
            throw NativePushError.malformedReport("no status for \(ref)")
        } catch let error as PktLineError {
            throw NativePushError.malformedReport("\(error)")
        }
    }

    private static func check(_ response: HTTPExchange.Response, path: String, contentType: String) throws {
        guard (200..<300).contains(response.status) else { throw NativePushError.httpStatus(response.status, path: path) }
        let type = response.headers.first(name: "content-type") ?? ""
        guard type.hasPrefix(contentType) else { throw NativePushError.unexpectedContentType(type, path: path) }
    }

    private func headers(accept: String) -> [(String, String)] {
        var headers = [("accept", accept), ("user-agent", "git/\(agent)"), ("pragma", "no-cache")]
        switch credentials {
        case .none: break
        case .basic(let user, let password):
            headers.append(("authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()))
        case .bearer(let token):
            headers.append(("authorization", "Bearer \(token)"))
        }
        return headers
    }
}
