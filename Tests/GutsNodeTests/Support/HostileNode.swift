import Foundation
import GutsTestSupport
import Testing

/// A `guts serve` shared by many hostile-input cases: the fixture pushed to `o/pub`, and
/// request helpers that check what every reply must satisfy (never 500, JSON errors with an
/// `error` key, no absolute path in an error body).
final class HostileNode: @unchecked Sendable {
    enum Auth: Sendable {
        case none
        case bearer(String)
        case basic(String, [UInt8])
        /// The `Authorization` header value as these bytes.
        case header([UInt8])

        static let write = Auth.bearer(NodeProcess.writeToken)
        static let admin = Auth.bearer(NodeProcess.adminToken)
        static let gitWrite = Auth.basic("git", Array(NodeProcess.writeToken.utf8))

        var headerValue: [UInt8]? {
            switch self {
            case .none: nil
            case .bearer(let token): Array("Bearer \(token)".utf8)
            case .basic(let user, let password): Array("Basic ".utf8) + Array(Data(Array(user.utf8) + [UInt8(ascii: ":")] + password).base64EncodedString().utf8)
            case .header(let bytes): bytes
            }
        }
    }

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry = [HostileNode]()

    let process: NodeProcess
    let fixture: HostileFixture
    let raw: RawHTTP
    var dataDirectory: String { process.dataDirectory }
    var port: Int { process.port }

    /// Starts a node (with `config` as its `--config` file when given) and pushes the fixture to `repositories`.
    init(config: String? = nil, repositories: [String] = ["o/pub"]) throws {
        fixture = try HostileFixture()
        var arguments = [String]()
        if let config {
            let path = fixture.directory + "/node-config.json"
            try Data(config.utf8).write(to: URL(fileURLWithPath: path))
            arguments = ["--config", path]
        }
        process = try NodeProcess(extraArguments: arguments)
        raw = RawHTTP(port: process.port)
        Self.register(self)
        for repository in repositories {
            try fixture.push(to: process.authenticatedURL(repository))
        }
    }

    /// Shared nodes live in statics, which are never deinitialized: stop them and remove
    /// their files when the test process exits.
    private static func register(_ node: HostileNode) {
        registryLock.lock()
        defer { registryLock.unlock() }
        if registry.isEmpty {
            atexit {
                HostileNode.registryLock.lock()
                for node in HostileNode.registry {
                    node.process.kill()
                    for path in [node.process.dataDirectory, node.process.logPath, node.fixture.directory] {
                        try? FileManager.default.removeItem(atPath: path)
                    }
                }
                HostileNode.registryLock.unlock()
            }
        }
        registry.append(node)
    }

    // MARK: Requests

    @discardableResult
    func send(_ method: String, _ target: String, auth: Auth = .none, headers: [(String, String)] = [], rawHeaders: [(String, [UInt8])] = [],
              body: Data? = nil, contentLength: Int? = nil, parts: [Data] = [], pause: Double = 0, timeout: Double = 30,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> RawHTTP.Exchange {
        var fields = headers.map { ($0.0, Array($0.1.utf8)) } + rawHeaders
        if let value = auth.headerValue { fields.append(("Authorization", value)) }
        if let length = contentLength ?? body.map(\.count) ?? (parts.isEmpty ? nil : parts.reduce(0) { $0 + $1.count }) {
            fields.append(("Content-Length", Array(String(length).utf8)))
        }
        let head = RawHTTP.head(method, target, headers: fields)
        let exchange = try raw.exchange([head + (body ?? Data())] + parts, pause: pause, timeout: timeout)
        check(exchange.reply, sourceLocation: sourceLocation)
        return exchange
    }

    /// POSTs a git service request (`git-upload-pack` or `git-receive-pack`) to `repository`.
    func git(_ service: String, _ repository: String, _ body: Data, auth: Auth = .none, version2: Bool = false, headers: [(String, String)] = [],
             sourceLocation: SourceLocation = #_sourceLocation) throws -> HTTPClient.Reply {
        var fields = [("Content-Type", "application/x-\(service)-request")] + headers
        if version2 { fields.append(("Git-Protocol", "version=2")) }
        return try send("POST", "/\(repository).git/\(service)", auth: auth, headers: fields, body: body, sourceLocation: sourceLocation).reply
    }

    func get(_ target: String, auth: Auth = .none, sourceLocation: SourceLocation = #_sourceLocation) throws -> HTTPClient.Reply {
        try send("GET", target, auth: auth, sourceLocation: sourceLocation).reply
    }

    func json(_ method: String, _ target: String, _ body: String, auth: Auth = .write, sourceLocation: SourceLocation = #_sourceLocation) throws -> HTTPClient.Reply {
        try send(method, target, auth: auth, headers: [("Content-Type", "application/json")], body: Data(body.utf8), sourceLocation: sourceLocation).reply
    }

    /// What every reply satisfies, whatever was asked.
    func check(_ reply: HTTPClient.Reply, sourceLocation: SourceLocation) {
        #expect(reply.status != 500, "500 with \(reply.text.prefix(300))", sourceLocation: sourceLocation)
        for path in [dataDirectory, Self.packageRoot] {
            #expect(reply.body.range(of: Data(path.utf8)) == nil, "a reply names \(path): \(reply.text.prefix(300))", sourceLocation: sourceLocation)
        }
        guard reply.status >= 400 else { return }
        if reply.header("Content-Type")?.hasPrefix("application/json") == true {
            #expect(reply.object["error"] is String, "JSON error without an error key: \(reply.text.prefix(300))", sourceLocation: sourceLocation)
        }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    // MARK: State

    /// `git ls-remote` of `repository` with the write token: every ref and its id.
    func refs(_ repository: String) throws -> String {
        try Shell.check("timeout 30 git ls-remote '\(process.authenticatedURL(repository))'", in: fixture.directory)
    }

    func exists(_ repository: String) throws -> Bool {
        try get("/api/repos/\(repository)", auth: .admin).status != 404
    }

    /// Everything under `<data-dir>/tmp`.
    func temporaryFiles() -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: dataDirectory + "/tmp")) ?? []).sorted()
    }

    /// `/health/live` answers 200 and a known repository lists its refs to stock git.
    func expectAlive(sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try get("/health/live", sourceLocation: sourceLocation).status == 200, sourceLocation: sourceLocation)
        let listed = try Shell.run("timeout 30 git ls-remote '\(process.anonymousURL("o/pub"))'", in: fixture.directory)
        #expect(listed.status == 0 && listed.stdout.contains("refs/heads/main"), "ls-remote: \(listed.stderr)", sourceLocation: sourceLocation)
    }

    /// Runs `body`, then checks that the refs of `repositories` did not move, that no
    /// repository in `absent` exists, that `<data-dir>/tmp` holds what it held before,
    /// and that the node still answers.
    func expectNothingStored(in repositories: [String] = ["o/pub"], absent: [String] = [], sourceLocation: SourceLocation = #_sourceLocation,
                             _ body: () throws -> Void) throws {
        let before = try repositories.map(refs)
        let temporary = temporaryFiles()
        try body()
        for (repository, refs) in zip(repositories, before) {
            #expect(try self.refs(repository) == refs, "the refs of \(repository) moved", sourceLocation: sourceLocation)
        }
        for repository in absent {
            #expect(try !exists(repository), "\(repository) was created", sourceLocation: sourceLocation)
        }
        let deadline = Date().addingTimeInterval(1)
        while temporaryFiles() != temporary && Date() < deadline { usleep(50_000) }
        #expect(temporaryFiles() == temporary, "left in tmp: \(Set(temporaryFiles()).subtracting(temporary).sorted())", sourceLocation: sourceLocation)
        try expectAlive(sourceLocation: sourceLocation)
    }

    /// A commit the node must not serve: no raw file, and a later push of a ref to it lacks objects.
    func expectNotStored(commit: String, file: String, in repository: String = "o/pub", sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try get("/\(repository)/raw/\(commit)/\(file)", auth: .write, sourceLocation: sourceLocation).status == 404, "the refused commit is readable", sourceLocation: sourceLocation)
        let probe = "refs/heads/probe-\(commit.prefix(8))"
        let reply = try git("git-receive-pack", repository, Push.commands([(Push.zero, commit, Array(probe.utf8))]), auth: .gitWrite, sourceLocation: sourceLocation)
        #expect(reply.status == 200, sourceLocation: sourceLocation)
        #expect(Push.lines(reply).contains("ng \(probe) missing necessary objects"), "\(Push.lines(reply))", sourceLocation: sourceLocation)
    }
}
