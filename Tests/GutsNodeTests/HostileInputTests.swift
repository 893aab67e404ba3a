import Foundation
import GutsTestSupport
import Testing

/// The hostile-input contract of docs/SECURITY.md, checked against running `guts serve`
/// processes with raw HTTP requests whose bytes the tests build themselves. Every case checks
/// the answer, that nothing was stored, and that the node still serves afterwards.
@Suite(.serialized) enum HostileInputTests {
    /// The node most cases share: the fixture in `o/pub`, `o/secret` (private) and `o/noforce` (no force pushes).
    static let shared = Result { () throws -> HostileNode in
        let node = try HostileNode(repositories: ["o/pub", "o/secret", "o/noforce"])
        let secret = try node.json("PATCH", "/api/repos/o/secret", #"{"private": true}"#)
        let noforce = try node.json("PATCH", "/api/repos/o/noforce", #"{"allow_force_push": false}"#)
        guard secret.status == 200, noforce.status == 200 else {
            throw Shell.Failure(script: "PATCH", status: Int32(secret.status), stderr: secret.text + noforce.text)
        }
        return node
    }

    /// A node of its own for the cases that crash the node this suite was written against.
    static let crashable = Result { try HostileNode() }

    /// A node that gives up on a request body after 2 idle seconds.
    static let impatient = Result { try HostileNode(config: #"{"bodyIdleTimeoutSeconds": 2}"#) }

    static func node() throws -> HostileNode { try shared.get() }

    /// A case described by its label in test output.
    struct Labelled<Value: Sendable>: Sendable, CustomTestStringConvertible {
        let label: String
        let value: Value
        init(_ label: String, _ value: Value) {
            self.label = label
            self.value = value
        }
        var testDescription: String { label }
    }

    static func fetchV0(_ wants: [String], _ rest: [String] = ["done"]) -> Data {
        wants.map(PktLines.line).reduce(Data(), +) + PktLines.flush + rest.map(PktLines.line).reduce(Data(), +)
    }

    static func fetchV2(command: String = "fetch", _ arguments: [String]) -> Data {
        PktLines.line("command=\(command)") + PktLines.delimiter + arguments.map(PktLines.line).reduce(Data(), +) + PktLines.flush
    }

    static func newName() -> String { "o/new-" + UUID().uuidString.prefix(8).lowercased() }

    /// A git protocol error: status 200 and exactly one pkt-line starting with `prefix`.
    static func expectGitError(_ reply: HTTPClient.Reply, _ prefix: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == 200, "status \(reply.status): \(reply.text.prefix(300))", sourceLocation: sourceLocation)
        let lines = PktLines.lines(reply.body)
        #expect(lines.count == 1 && lines.first?.hasPrefix(prefix) == true, "expected one '\(prefix)' line: \(reply.text.prefix(300))", sourceLocation: sourceLocation)
    }

    /// A JSON error with `status` whose message contains `part`.
    static func expectJSONError(_ reply: HTTPClient.Reply, _ status: Int, _ part: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == status, "status \(reply.status): \(reply.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        #expect((reply.object["error"] as? String)?.contains(part) == true, "expected '\(part)' in \(reply.text.prefix(300))", sourceLocation: sourceLocation)
    }

    /// A push refused one way or another: a 4xx JSON error, an `ERR` pkt-line, or report-status with no `ok`.
    static func expectRefusedPush(_ reply: HTTPClient.Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = PktLines.lines(reply.body)
        let refused = (400..<500).contains(reply.status) && reply.object["error"] is String
            || reply.status == 200 && (lines.first?.hasPrefix("ERR ") == true || (lines.contains { $0.hasPrefix("ng ") } && !lines.contains { $0.hasPrefix("ok ") }))
        #expect(refused, "status \(reply.status): \(reply.text.prefix(300))", sourceLocation: sourceLocation)
    }

    static func repositoryList(_ node: HostileNode) throws -> String {
        try node.get("/api/repos?limit=100", auth: .admin).text
    }
}

// MARK: - pkt-line framing

extension HostileInputTests {
    @Suite struct PktLineFraming {
        enum Endpoint: String, Sendable, CaseIterable, CustomTestStringConvertible {
            case fetchV0, fetchV2, push
            var testDescription: String { rawValue }
        }

        static let broken: [Labelled<Data>] = [
            .init("length digits not hex", Data("zzzzwant".utf8)),
            .init("one length digit not hex", Data("00g5x".utf8)),
            .init("a sign in the length", Data("-00ax12345".utf8)),
            .init("the reserved length 0003", Data("0003".utf8)),
            .init("length 65521", Data("fff1".utf8) + Data(repeating: UInt8(ascii: "a"), count: 65517)),
            .init("length 65534", Data("fffe".utf8) + Data(repeating: UInt8(ascii: "a"), count: 65530)),
            .init("length 65535", Data("ffff".utf8) + Data(repeating: UInt8(ascii: "a"), count: 65531)),
            .init("a length cut short", Data("00".utf8)),
            .init("a packet cut short", Data("0032want 0123456789".utf8)),
        ]

        @Test(arguments: Endpoint.allCases, broken)
        func brokenFramingIs400(endpoint: Endpoint, framing: Labelled<Data>) throws {
            let node = try HostileInputTests.node()
            let fresh = HostileInputTests.newName()
            try node.expectNothingStored(absent: [fresh]) {
                let reply: HTTPClient.Reply
                switch endpoint {
                case .fetchV0:
                    reply = try node.git("git-upload-pack", "o/pub", PktLines.line("want \(node.fixture.main) side-band-64k") + framing.value)
                case .fetchV2:
                    reply = try node.git("git-upload-pack", "o/pub", PktLines.line("command=fetch") + PktLines.delimiter + framing.value, version2: true)
                case .push:
                    let command = PktLines.packet(Array("\(Push.zero) \(node.fixture.main) refs/heads/framing".utf8) + [0] + Array("report-status\n".utf8))
                    reply = try node.git("git-receive-pack", fresh, command + framing.value, auth: .gitWrite)
                }
                HostileInputTests.expectJSONError(reply, 400, "invalid pkt-line: ")
                #expect((reply.object["error"] as? String)?.hasPrefix("invalid pkt-line: ") == true)
            }
        }
    }
}

// MARK: - Echoed input is cut

extension HostileInputTests {
    /// Lines of the largest size a packet allows whose content the error message would echo.
    @Suite struct MaximalLines {
        /// `keyword` and x's filling the 65,516-byte payload of a 65,520-byte packet, without a newline.
        static func maximal(_ keyword: String) -> Data {
            PktLines.packet(Array(keyword.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 65516 - keyword.utf8.count))
        }

        static let cases: [Labelled<Bool>] = [
            .init("v0 have line of 65516 bytes", false),
            .init("v0 want line of 65516 bytes", false),
            .init("v0 deepen line of 65516 bytes", false),
            .init("v2 want line of 65516 bytes", true),
            .init("v2 command of 65516 bytes", true),
        ]

        @Test(arguments: cases)
        func errorEchoesAtMost100Bytes(line: Labelled<Bool>) throws {
            let node = try HostileInputTests.crashable.get()
            let want = PktLines.line("want \(node.fixture.main)")
            let done = PktLines.line("done")
            let body: Data = switch line.label {
            case let label where label.hasPrefix("v0 have"): want + PktLines.flush + Self.maximal("have ") + done
            case let label where label.hasPrefix("v0 want"): Self.maximal("want ") + PktLines.flush + done
            case let label where label.hasPrefix("v0 deepen"): want + Self.maximal("deepen ") + PktLines.flush + done
            case let label where label.hasPrefix("v2 want"): PktLines.line("command=fetch") + PktLines.delimiter + Self.maximal("want ") + done + PktLines.flush
            default: Self.maximal("command=") + PktLines.flush
            }
            #expect(PktLines.payloads(body)?.contains { $0.count == 65516 } == true)
            try node.expectNothingStored {
                let reply = try node.git("git-upload-pack", "o/pub", body, version2: line.value)
                HostileInputTests.expectGitError(reply, "ERR protocol error: ")
                #expect(!reply.text.contains(String(repeating: "x", count: 101)), "more than 100 bytes echoed: \(reply.body.count) bytes")
            }
        }
    }
}

// MARK: - upload-pack semantics

extension HostileInputTests {
    @Suite struct UploadPackSemantics {
        /// v0 requests: lines before the flush, lines after it. `MAIN` stands for main's id.
        static let version0: [Labelled<[[String]]>] = [
            .init("want of a non-hex id", [["want \(String(repeating: "z", count: 40)) side-band-64k"], ["done"]]),
            .init("want of a 39-digit id", [["want MAIN39"], ["done"]]),
            .init("want of a 41-digit id", [["want MAINa"], ["done"]]),
            .init("want without an id", [["want "], ["done"]]),
            .init("second want of a non-hex id", [["want MAIN", "want \(String(repeating: "g", count: 40))"], ["done"]]),
            .init("have of a non-hex id", [["want MAIN"], ["have \(String(repeating: "z", count: 40))", "done"]]),
            .init("have of a short id", [["want MAIN"], ["have MAIN20", "done"]]),
            .init("shallow of a non-hex id", [["want MAIN", "shallow xyz"], ["done"]]),
            .init("deepen 0", [["want MAIN", "deepen 0"], ["done"]]),
            .init("deepen -1", [["want MAIN", "deepen -1"], ["done"]]),
            .init("deepen x", [["want MAIN", "deepen x"], ["done"]]),
            .init("deepen without a number", [["want MAIN", "deepen "], ["done"]]),
            .init("no want, a have", [[], ["have MAIN", "done"]]),
            .init("no line at all", [[], []]),
        ]

        static let version2: [Labelled<[String]>] = [
            .init("want of a non-hex id", ["command=fetch", "want \(String(repeating: "z", count: 40))", "done"]),
            .init("want of a 39-digit id", ["command=fetch", "want MAIN39", "done"]),
            .init("have of a non-hex id", ["command=fetch", "want MAIN", "have \(String(repeating: "q", count: 40))", "done"]),
            .init("shallow of a non-hex id", ["command=fetch", "want MAIN", "shallow 1234", "done"]),
            .init("deepen 0", ["command=fetch", "want MAIN", "deepen 0", "done"]),
            .init("deepen -1", ["command=fetch", "want MAIN", "deepen -1", "done"]),
            .init("deepen x", ["command=fetch", "want MAIN", "deepen x", "done"]),
            .init("fetch without a want", ["command=fetch", "done"]),
            .init("fetch without arguments", ["command=fetch"]),
            .init("unknown command", ["command=frobnicate"]),
            .init("empty command", ["command="]),
            .init("no command", ["agent=hostile/1"]),
        ]

        static func expand(_ line: String, main: String) -> String {
            line.replacingOccurrences(of: "MAIN39", with: String(main.dropLast()))
                .replacingOccurrences(of: "MAIN20", with: String(main.prefix(20)))
                .replacingOccurrences(of: "MAIN", with: main)
        }

        @Test(arguments: version0)
        func meaninglessVersion0LinesAreProtocolErrors(request: Labelled<[[String]]>) throws {
            let node = try HostileInputTests.node()
            let main = node.fixture.main
            let body = HostileInputTests.fetchV0(request.value[0].map { Self.expand($0, main: main) }, request.value[1].map { Self.expand($0, main: main) })
            try node.expectNothingStored {
                HostileInputTests.expectGitError(try node.git("git-upload-pack", "o/pub", body), "ERR protocol error: ")
            }
        }

        @Test(arguments: version2)
        func meaninglessVersion2LinesAreProtocolErrors(request: Labelled<[String]>) throws {
            let node = try HostileInputTests.node()
            let lines = request.value.map { Self.expand($0, main: node.fixture.main) }
            var body = PktLines.line(lines[0])
            if lines.count > 1 { body += PktLines.delimiter + lines.dropFirst().map(PktLines.line).reduce(Data(), +) }
            body += PktLines.flush
            try node.expectNothingStored {
                HostileInputTests.expectGitError(try node.git("git-upload-pack", "o/pub", body, version2: true), "ERR protocol error: ")
            }
        }

        static let notOurs: [Labelled<Bool>] = [
            .init("v0 want of a missing object", false), .init("v0 want of an unreachable commit", false), .init("v0 want of the zero id", false),
            .init("v2 want of a missing object", true), .init("v2 want of an unreachable commit", true),
        ]

        @Test(arguments: notOurs)
        func wantOfAnObjectNoRefReachesIsNotOurRef(request: Labelled<Bool>) throws {
            let node = try HostileInputTests.node()
            let id = request.label.hasSuffix("unreachable commit") ? node.fixture.gone
                : request.label.hasSuffix("zero id") ? Push.zero : "0123456789abcdef0123456789abcdef01234567"
            let body = request.value ? HostileInputTests.fetchV2(["want \(node.fixture.main)", "want \(id)", "done"])
                : HostileInputTests.fetchV0(["want \(node.fixture.main) side-band-64k", "want \(id)"])
            try node.expectNothingStored {
                let reply = try node.git("git-upload-pack", "o/pub", body, version2: request.value)
                HostileInputTests.expectGitError(reply, "ERR upload-pack: not our ref \(id)")
                #expect(!reply.text.contains("PACK"))
            }
        }

        static let tooMany: [Labelled<Bool>] = [
            .init("v0 want", false), .init("v0 have", false), .init("v0 shallow", false), .init("v2 want", true), .init("v2 have", true),
        ]

        @Test(arguments: tooMany)
        func moreThan100000LinesAreRefused(kind: Labelled<Bool>) throws {
            let node = try HostileInputTests.node()
            let main = node.fixture.main
            let keyword = String(kind.label.dropFirst(3))
            let many = (0..<100_001).reduce(into: Data()) { data, _ in data += PktLines.line("\(keyword) \(main)") }
            var body: Data
            if kind.value {
                body = PktLines.line("command=fetch") + PktLines.delimiter
                body += (keyword == "want" ? Data() : PktLines.line("want \(main)")) + many + PktLines.line("done") + PktLines.flush
            } else {
                body = keyword == "have" ? PktLines.line("want \(main)") + PktLines.flush + many + PktLines.line("done")
                    : (keyword == "shallow" ? PktLines.line("want \(main)") : Data()) + many + PktLines.flush + PktLines.line("done")
            }
            try node.expectNothingStored {
                let reply = try node.git("git-upload-pack", "o/pub", body, version2: kind.value)
                HostileInputTests.expectGitError(reply, "ERR protocol error: too many ")
                let line = PktLines.lines(reply.body).first ?? ""
                #expect(line.contains(keyword) && line.hasSuffix(" lines (limit 100000)"), "\(line)")
            }
        }

        func lsRefs(_ node: HostileNode, _ arguments: [String]) throws -> (reply: HTTPClient.Reply, refs: [String]) {
            let reply = try node.git("git-upload-pack", "o/pub", HostileInputTests.fetchV2(command: "ls-refs", arguments), version2: true)
            return (reply, PktLines.lines(reply.body))
        }

        static let prefixes: [Labelled<Int>] = [.init("20000 unmatched ref-prefix lines", 20_000), .init("1025 unmatched ref-prefix lines", 1025)]

        @Test(arguments: prefixes)
        func moreThan1024RefPrefixesAreIgnored(count: Labelled<Int>) throws {
            let node = try HostileInputTests.node()
            let all = try lsRefs(node, []).refs
            #expect(all.contains { $0.hasSuffix(" refs/heads/main") } && all.count > 5)
            try node.expectNothingStored {
                let started = Date()
                let (reply, refs) = try lsRefs(node, (0..<count.value).map { "ref-prefix refs/nowhere/\($0)/" })
                #expect(reply.status == 200)
                #expect(refs == all)
                #expect(Date().timeIntervalSince(started) < 5, "took \(Date().timeIntervalSince(started)) s")
            }
        }

        @Test func upTo1024RefPrefixesAreHonoured() throws {
            let node = try HostileInputTests.node()
            let (reply, refs) = try lsRefs(node, Array(repeating: "ref-prefix refs/heads/main", count: 1024))
            #expect(reply.status == 200)
            #expect(refs == ["\(node.fixture.main) refs/heads/main"])
            try node.expectAlive()
        }

        @Test(arguments: [false, true])
        func uppercaseWantIsServedAsGitDoes(version2: Bool) throws {
            let node = try HostileInputTests.node()
            let upper = node.fixture.main.uppercased()
            let body = version2 ? HostileInputTests.fetchV2(["want \(upper)", "done"]) : HostileInputTests.fetchV0(["want \(upper)"])
            let reply = try node.git("git-upload-pack", "o/pub", body, version2: version2)
            #expect(reply.status == 200)
            #expect(!reply.text.contains("ERR "), "\(reply.text.prefix(200))")
            #expect(reply.body.range(of: Data("PACK".utf8)) != nil)
            try node.expectAlive()
        }
    }
}

// MARK: - receive-pack

extension HostileInputTests {
    @Suite struct ReceivePackRefusals {
        static func name(_ text: String) -> Labelled<[UInt8]> { .init(text.debugDescription, Array(text.utf8)) }

        static let badNames: [Labelled<[UInt8]>] = [
            "refs/heads/x.lock/y", "refs/heads/x.lock", "refs/heads/a/b.lock/c", "refs/tags/v1.lock", "refs/heads/a..b", "refs/heads/..",
            "refs/heads/@{x}", "refs/heads/a@{b", "@", "refs/heads/a b", "refs/heads/.hidden", "refs/heads/a/.b", "refs/heads/a/./b",
            "refs/heads/x.", "refs/heads/x/.", "refs/heads//x", "refs//heads/x", "refs/heads/x/", "refs/heads/a\tb", "refs/heads/a\u{01}b",
            "refs/heads/a\u{1b}[31m", "refs/heads/a\u{7f}b", "refs/heads/a~b", "refs/heads/a^b", "refs/heads/a:b", "refs/heads/a?b",
            "refs/heads/a*b", "refs/heads/a[b", "refs/heads/a\\b",
        ].map(name) + [
            .init("a name of 1025 bytes", Array(("refs/heads/" + String(repeating: "n", count: 1014)).utf8)),
            .init("invalid UTF-8 ff fe", Array("refs/heads/".utf8) + [0xff, 0xfe]),
            .init("a cut UTF-8 sequence", Array("refs/heads/a".utf8) + [0xc3]),
            .init("an overlong UTF-8 slash", Array("refs/heads/a".utf8) + [0xc0, 0xaf, 0x62]),
            .init("a UTF-8 surrogate", Array("refs/heads/".utf8) + [0xed, 0xa0, 0x80]),
        ]

        @Test(arguments: badNames)
        func funnyRefNameIsEchoedAsSent(name: Labelled<[UInt8]>) throws {
            let node = try HostileInputTests.node()
            if let text = String(bytes: name.value, encoding: .utf8), name.value.count <= 1024 {
                let path = node.fixture.directory + "/refname"
                try Data(name.value).write(to: URL(fileURLWithPath: path))
                #expect(try Shell.run("git check-ref-format \"$(cat refname)\"", in: node.fixture.directory).status != 0, "git accepts \(text.debugDescription)")
            }
            try node.expectNothingStored {
                let body = Push.commands([(Push.zero, node.fixture.main, name.value)], pack: node.fixture.emptyPack)
                let reply = try node.git("git-receive-pack", "o/pub", body, auth: .gitWrite)
                #expect(reply.status == 200)
                let expected = Array("ng ".utf8) + name.value + Array(" funny refname".utf8)
                let payloads = (PktLines.payloads(reply.body) ?? []).map { $0.last == 0x0a ? Array($0.dropLast()) : $0 }
                #expect(payloads.contains(expected), "report: \(reply.text.debugDescription.prefix(400))")
                #expect(!PktLines.lines(reply.body).contains { $0.hasPrefix("ok ") })
            }
        }

        static let malformed: [Labelled<[UInt8]>] = [
            .init("ids not hex", Array("xyz abc refs/heads/x".utf8)),
            .init("two fields", Array("\(Push.zero) 0123456789abcdef0123456789abcdef01234567".utf8)),
            .init("no ref name", Array("\(Push.zero) 0123456789abcdef0123456789abcdef01234567 ".utf8)),
            .init("a 39-digit new id", Array("\(Push.zero) 0123456789abcdef0123456789abcdef0123456 refs/heads/x".utf8)),
            .init("an empty command", []),
            .init("a shallow line", Array("shallow 0123456789abcdef0123456789abcdef01234567".utf8)),
        ]

        @Test(arguments: malformed, [false, true])
        func malformedCommandsChangeNothing(command: Labelled<[UInt8]>, toNewRepository: Bool) throws {
            let node = try HostileInputTests.node()
            let target = toNewRepository ? HostileInputTests.newName() : "o/pub"
            try node.expectNothingStored(absent: toNewRepository ? [target] : []) {
                let body = PktLines.packet(command.value + [0] + Array("report-status\n".utf8)) + PktLines.flush + node.fixture.emptyPack
                HostileInputTests.expectRefusedPush(try node.git("git-receive-pack", target, body, auth: .gitWrite))
            }
        }

        @Test func moreThan100000CommandsAreRefused() throws {
            let node = try HostileInputTests.node()
            #expect(try node.json("POST", "/api/repos", #"{"name": "o/many"}"#).status == 201)
            let main = node.fixture.main
            let commands = (0..<100_001).map { (Push.zero, main, Array("refs/heads/many-\($0)".utf8)) }
            try node.expectNothingStored(in: ["o/pub", "o/many"]) {
                let reply = try node.git("git-receive-pack", "o/many", Push.commands(commands, pack: node.fixture.emptyPack), auth: .gitWrite)
                HostileInputTests.expectGitError(reply, "ERR protocol error: too many ")
                #expect(PktLines.lines(reply.body).first?.hasSuffix(" lines (limit 100000)") == true)
            }
        }

        enum BrokenPack: String, Sendable, CaseIterable, CustomTestStringConvertible {
            case garbage, notAPack, truncated, badChecksum, moreObjectsThanSent
            var testDescription: String { rawValue }
        }

        @Test(arguments: BrokenPack.allCases)
        func brokenPackIsRefusedAndLeavesNothing(kind: BrokenPack) throws {
            let node = try HostileInputTests.node()
            let commit = try node.fixture.commit(on: node.fixture.main)
            var pack = [UInt8](commit.pack)
            switch kind {
            case .garbage: pack = Array("PACK".utf8) + [0, 0, 0, 2, 0, 0, 0, 3, 0x95, 0x0a] + Array("garbage that is not zlib".utf8)
            case .notAPack: pack = Array("hello, this is not a pack at all".utf8)
            case .truncated: pack.removeLast(30)
            case .badChecksum: pack[pack.count - 1] ^= 0xff
            case .moreObjectsThanSent: pack[11] += 1
            }
            let ref = "refs/heads/broken-\(kind.rawValue)"
            try node.expectNothingStored {
                let reply = try node.git("git-receive-pack", "o/pub", Push.commands([(Push.zero, commit.id, Array(ref.utf8))], pack: Data(pack)), auth: .gitWrite)
                let lines = Push.lines(reply)
                #expect(reply.status == 200)
                #expect(lines.first?.hasPrefix("unpack ") == true && lines.first != "unpack ok", "\(lines)")
                #expect(lines.contains { $0.hasPrefix("ng \(ref) ") }, "\(lines)")
                try node.expectNotStored(commit: commit.id, file: commit.file)
            }
        }

        @Test func malformedCommitObjectIsRefused() throws {
            let node = try HostileInputTests.node()
            let bad = try node.fixture.malformedCommit()
            try node.expectNothingStored {
                let reply = try node.git("git-receive-pack", "o/pub", Push.commands([(Push.zero, bad.id, Array("refs/heads/malformed".utf8))], pack: bad.pack), auth: .gitWrite)
                #expect(reply.status == 200)
                #expect(Push.lines(reply).contains { $0.hasPrefix("ng refs/heads/malformed ") }, "\(Push.lines(reply))")
                try node.expectNotStored(commit: bad.id, file: "x")
            }
        }

        @Test func commitWithoutItsTreeIsMissingObjects() throws {
            let node = try HostileInputTests.node()
            let commit = try node.fixture.commit(on: node.fixture.main, commitOnly: true)
            try node.expectNothingStored {
                let reply = try node.git("git-receive-pack", "o/pub", Push.commands([(Push.zero, commit.id, Array("refs/heads/partial".utf8))], pack: commit.pack), auth: .gitWrite)
                #expect(Push.lines(reply).contains("ng refs/heads/partial missing necessary objects"), "\(Push.lines(reply))")
                try node.expectNotStored(commit: commit.id, file: commit.file)
            }
        }

        enum NewRepositoryPush: String, Sendable, CaseIterable, CustomTestStringConvertible {
            case corruptPack, funnyRefName, commitWithoutTree, malformedCommand, staleOldID
            var testDescription: String { rawValue }
        }

        @Test(arguments: NewRepositoryPush.allCases)
        func refusedPushDoesNotCreateTheRepository(kind: NewRepositoryPush) throws {
            let node = try HostileInputTests.node()
            let fresh = HostileInputTests.newName()
            let main = node.fixture.main
            let body: Data
            switch kind {
            case .corruptPack:
                body = Push.commands([(Push.zero, main, Array("refs/heads/main".utf8))], pack: Data("PACK".utf8) + Data([0, 0, 0, 2, 0, 0, 0, 1, 0x95, 0x0a, 1, 2, 3]))
            case .funnyRefName:
                body = Push.commands([(Push.zero, main, Array("refs/heads/a..b".utf8))], pack: node.fixture.fullPack)
            case .commitWithoutTree:
                let commit = try node.fixture.commit(on: main, commitOnly: true)
                body = Push.commands([(Push.zero, commit.id, Array("refs/heads/main".utf8))], pack: commit.pack)
            case .malformedCommand:
                body = PktLines.packet(Array("\(Push.zero) nothex refs/heads/main".utf8) + [0] + Array("report-status\n".utf8)) + PktLines.flush
            case .staleOldID:
                body = Push.commands([(node.fixture.side, main, Array("refs/heads/main".utf8))], pack: node.fixture.fullPack)
            }
            try node.expectNothingStored(absent: [fresh]) {
                HostileInputTests.expectRefusedPush(try node.git("git-receive-pack", fresh, body, auth: .gitWrite))
            }
        }
    }

    @Suite struct PushPolicy {
        @Test func nonFastForwardIsRefusedAndItsObjectsAreNotKept() throws {
            let node = try HostileInputTests.node()
            let fixture = node.fixture
            let commit = try fixture.commit(on: fixture.mainParent)
            try node.expectNothingStored(in: ["o/noforce"]) {
                let reply = try node.git("git-receive-pack", "o/noforce", Push.commands([(fixture.main, commit.id, Array("refs/heads/main".utf8))], pack: commit.pack), auth: .gitWrite)
                #expect(Push.lines(reply).contains("ng refs/heads/main non-fast-forward"), "\(Push.lines(reply))")
                try node.expectNotStored(commit: commit.id, file: commit.file, in: "o/noforce")
            }
        }

        @Test func deletionIsProhibited() throws {
            let node = try HostileInputTests.node()
            try node.expectNothingStored(in: ["o/noforce"]) {
                let body = Push.commands([(node.fixture.side, Push.zero, Array("refs/heads/side".utf8))], capabilities: "report-status delete-refs")
                let reply = try node.git("git-receive-pack", "o/noforce", body, auth: .gitWrite)
                #expect(Push.lines(reply).contains("ng refs/heads/side deletion prohibited"), "\(Push.lines(reply))")
            }
        }

        @Test func deleteThenRecreateCannotStandInForAForcePush() throws {
            let node = try HostileInputTests.node()
            let fixture = node.fixture
            let commit = try fixture.commit(on: fixture.mainParent)
            try node.expectNothingStored(in: ["o/noforce"]) {
                let delete = Push.commands([(fixture.side, Push.zero, Array("refs/heads/side".utf8))], capabilities: "report-status delete-refs")
                #expect(Push.lines(try node.git("git-receive-pack", "o/noforce", delete, auth: .gitWrite)).contains("ng refs/heads/side deletion prohibited"))
                let create = Push.commands([(Push.zero, commit.id, Array("refs/heads/side".utf8))], pack: commit.pack)
                let reply = try node.git("git-receive-pack", "o/noforce", create, auth: .gitWrite)
                #expect(Push.lines(reply).contains { $0.hasPrefix("ng refs/heads/side ") }, "\(Push.lines(reply))")
                try node.expectNotStored(commit: commit.id, file: commit.file, in: "o/noforce")
            }
        }

        @Test func failedAtomicPushKeepsNothing() throws {
            let node = try HostileInputTests.node()
            let fixture = node.fixture
            let commit = try fixture.commit(on: fixture.main)
            try node.expectNothingStored(in: ["o/noforce"]) {
                let body = Push.commands([(fixture.main, commit.id, Array("refs/heads/main".utf8)), (Push.zero, fixture.main, Array("refs/heads/a..b".utf8))],
                                         capabilities: "report-status atomic", pack: commit.pack)
                let lines = Push.lines(try node.git("git-receive-pack", "o/noforce", body, auth: .gitWrite))
                #expect(lines.contains { $0.hasPrefix("ng refs/heads/main ") } && lines.contains("ng refs/heads/a..b funny refname"), "\(lines)")
                #expect(!lines.contains { $0.hasPrefix("ok ") })
                try node.expectNotStored(commit: commit.id, file: commit.file, in: "o/noforce")
            }
        }

        @Test func staleOldIDIsARefConflict() throws {
            let node = try HostileInputTests.node()
            let fixture = node.fixture
            let commit = try fixture.commit(on: fixture.side)
            try node.expectNothingStored {
                let body = Push.commands([(fixture.mainParent, commit.id, Array("refs/heads/side".utf8))], pack: commit.pack)
                let lines = Push.lines(try node.git("git-receive-pack", "o/pub", body, auth: .gitWrite))
                #expect(lines.contains { $0.hasPrefix("ng refs/heads/side ") }, "\(lines)")
                try node.expectNotStored(commit: commit.id, file: commit.file)
            }
        }

        @Test func creatingAnExistingRefIsARefConflict() throws {
            let node = try HostileInputTests.node()
            let commit = try node.fixture.commit(on: node.fixture.main)
            try node.expectNothingStored {
                let body = Push.commands([(Push.zero, commit.id, Array("refs/heads/main".utf8))], pack: commit.pack)
                let lines = Push.lines(try node.git("git-receive-pack", "o/pub", body, auth: .gitWrite))
                #expect(lines.contains { $0.hasPrefix("ng refs/heads/main ") }, "\(lines)")
                try node.expectNotStored(commit: commit.id, file: commit.file)
            }
        }
    }
}

// MARK: - Request bodies: gzip, limits, idle bodies

extension HostileInputTests {
    @Suite struct RequestBodies {
        enum Target: String, Sendable, CaseIterable, CustomTestStringConvertible {
            case fetch, push, api
            var testDescription: String { rawValue }
        }

        static func plain(_ node: HostileNode, _ target: Target, fresh: String) -> Data {
            switch target {
            case .fetch: HostileInputTests.fetchV0(["want \(node.fixture.main) side-band-64k"])
            case .push: Push.commands([(Push.zero, node.fixture.main, Array("refs/heads/main".utf8))], pack: node.fixture.fullPack)
            case .api: Data(#"{"name": "\#(fresh)", "description": "a repository that a broken body must not create"}"#.utf8)
            }
        }

        /// Sends what `make` builds to `target`; the repository a push or an API call would create must not exist afterwards.
        static func check(_ target: Target, _ make: (HostileNode, String) throws -> (body: Data?, headers: [(String, String)], contentLength: Int?),
                          expect: (HTTPClient.Reply) -> Void) throws {
            let node = try HostileInputTests.node()
            let fresh = HostileInputTests.newName()
            try node.expectNothingStored(absent: [fresh]) {
                let (body, headers, length) = try make(node, fresh)
                let (path, auth, type): (String, HostileNode.Auth, String) = switch target {
                case .fetch: ("/o/pub.git/git-upload-pack", .none, "application/x-git-upload-pack-request")
                case .push: ("/\(fresh).git/git-receive-pack", .gitWrite, "application/x-git-receive-pack-request")
                case .api: ("/api/repos", .write, "application/json")
                }
                expect(try node.send("POST", path, auth: auth, headers: [("Content-Type", type)] + headers, body: body, contentLength: length, timeout: 10).reply)
            }
        }

        enum Damage: String, Sendable, CaseIterable, CustomTestStringConvertible {
            case corruptDeflate, notGzipAtAll, cutInHalf, trailerMissing
            var testDescription: String { rawValue }
        }

        @Test(arguments: Target.allCases, Damage.allCases)
        func brokenGzipIs400(target: Target, damage: Damage) throws {
            try Self.check(target, { node, fresh in
                let plain = Self.plain(node, target, fresh: fresh)
                var gzipped = [UInt8](try HostileFixture.gzip(plain))
                switch damage {
                case .corruptDeflate: gzipped[10] = 0xff
                case .notGzipAtAll: gzipped = [UInt8](plain)
                case .cutInHalf: gzipped.removeLast(gzipped.count / 2)
                case .trailerMissing: gzipped.removeLast(8)
                }
                return (Data(gzipped), [("Content-Encoding", "gzip")], nil)
            }) { reply in
                let corrupt = damage == .corruptDeflate || damage == .notGzipAtAll
                HostileInputTests.expectJSONError(reply, 400, corrupt ? "gzip request body is corrupt" : "gzip request body is truncated")
            }
        }

        static let bombs: [Labelled<[Int]>] = [
            .init("256 MiB of zeros to upload-pack", [256 << 20, 0]),
            .init("20 MiB of zeros to upload-pack", [20 << 20, 0]),
            .init("256 MiB of zeros to the API", [256 << 20, 2]),
            .init("2 MiB of zeros to the API", [2 << 20, 2]),
        ]

        @Test(arguments: bombs)
        func gzipBombIs413(bomb: Labelled<[Int]>) throws {
            let target = Target.allCases[bomb.value[1]]
            try Self.check(target, { node, _ in
                (try node.fixture.gzippedZeros(bomb.value[0]), [("Content-Encoding", "gzip")], nil)
            }) { reply in
                #expect(reply.status == 413, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
            }
        }

        @Test(arguments: Target.allCases, ["br", "deflate", "zstd"])
        func unsupportedEncodingIs415(target: Target, encoding: String) throws {
            try Self.check(target, { node, fresh in (Self.plain(node, target, fresh: fresh), [("Content-Encoding", encoding)], nil) }) { reply in
                #expect(reply.status == 415, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
            }
        }

        static let oversized: [Labelled<[Int]>] = [
            .init("upload-pack, 17 MiB", [0, 17 << 20]),
            .init("receive-pack, 3 GiB", [1, 3 << 30]),
            .init("API, 1 MiB + 1", [2, (1 << 20) + 1]),
        ]

        @Test(arguments: oversized)
        func contentLengthOverTheLimitIs413(limit: Labelled<[Int]>) throws {
            try Self.check(Target.allCases[limit.value[0]], { _, _ in (nil, [], limit.value[1]) }) { reply in
                #expect(reply.status == 413, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
            }
        }

        @Test(arguments: [Labelled("upload-pack, 17 MiB", 0), Labelled("API, 2 MiB", 2)])
        func chunkedBodyOverTheLimitIs413(limit: Labelled<Int>) throws {
            let node = try HostileInputTests.node()
            let size = limit.value == 0 ? 17 << 20 : 2 << 20
            let chunk = Data(String(format: "%x\r\n", 1 << 20).utf8) + Data(repeating: UInt8(ascii: "0"), count: 1 << 20) + Data("\r\n".utf8)
            let parts = Array(repeating: chunk, count: size >> 20) + [Data("0\r\n\r\n".utf8)]
            let path = limit.value == 0 ? "/o/pub.git/git-upload-pack" : "/api/repos"
            try node.expectNothingStored {
                let head = RawHTTP.head("POST", path, headers: [("Transfer-Encoding", Array("chunked".utf8)), ("Authorization", Array("Bearer \(NodeProcess.writeToken)".utf8))])
                let exchange = try node.raw.exchange([head] + parts, timeout: 20)
                node.check(exchange.reply, sourceLocation: #_sourceLocation)
                #expect(exchange.reply.status == 413, "\(exchange.reply.status) \(exchange.reply.text.prefix(200))")
                #expect(exchange.reply.object["error"] is String)
            }
        }
    }

    @Suite struct IdleBodies {
        static let stalls: [Labelled<Int>] = [
            .init("API body stops after 8 bytes", 0), .init("upload-pack body stops mid-line", 1), .init("push stops mid-pack", 2),
            .init("push sends no body byte", 3), .init("gzip body stops", 4),
        ]

        @Test(arguments: stalls)
        func bodyIdleFor2SecondsIs408(stall: Labelled<Int>) throws {
            let node = try HostileInputTests.impatient.get()
            let fresh = HostileInputTests.newName()
            let fixture = node.fixture
            let (path, sent, length, headers): (String, Data, Int, [(String, [UInt8])]) = switch stall.value {
            case 0: ("/api/repos", Data(#"{"name":"#.utf8), 100, [])
            case 1: ("/o/pub.git/git-upload-pack", PktLines.line("want \(fixture.main)").prefix(20), 200, [])
            case 2:
                ("/\(fresh).git/git-receive-pack", Push.commands([(Push.zero, fixture.main, Array("refs/heads/main".utf8))], pack: fixture.fullPack.prefix(fixture.fullPack.count / 2)),
                 100_000, [])
            case 3: ("/\(fresh).git/git-receive-pack", Data(), 100_000, [])
            default: ("/api/repos", try HostileFixture.gzip(Data(#"{"name": "\#(fresh)"}"#.utf8)).prefix(12), 100, [("Content-Encoding", Array("gzip".utf8))])
            }
            try node.expectNothingStored(absent: [fresh]) {
                let auth = stall.value >= 2 && stall.value <= 3 ? HostileNode.Auth.gitWrite : HostileNode.Auth.write
                let head = RawHTTP.head("POST", path, headers: headers + [("Authorization", auth.headerValue!), ("Content-Length", Array(String(length).utf8))])
                let started = Date()
                let exchange = try node.raw.exchange([head + sent], timeout: 15)
                let elapsed = Date().timeIntervalSince(started)
                node.check(exchange.reply, sourceLocation: #_sourceLocation)
                #expect(exchange.reply.status == 408, "\(exchange.reply.status) after \(elapsed) s: \(exchange.reply.text.prefix(200))")
                #expect(exchange.reply.object["error"] is String)
                #expect(exchange.closed, "the connection stayed open")
                #expect(elapsed >= 1.5 && elapsed < 8, "answered after \(elapsed) s")
            }
        }

        @Test func bodyTricklingWithin2SecondsIsServed() throws {
            let node = try HostileInputTests.impatient.get()
            let body = Data(#"{"name": "o/trickle"}"#.utf8)
            let pieces = stride(from: 0, to: body.count, by: 6).map { body[$0..<min($0 + 6, body.count)] }
            let head = RawHTTP.head("POST", "/api/repos", headers: [("Authorization", HostileNode.Auth.write.headerValue!), ("Content-Length", Array(String(body.count).utf8))])
            let exchange = try node.raw.exchange([head + pieces[0]] + pieces.dropFirst().map { Data($0) }, pause: 1, timeout: 20)
            #expect(exchange.reply.status == 201, "\(exchange.reply.status) \(exchange.reply.text.prefix(200))")
            try node.expectAlive()
        }
    }
}

// MARK: - JSON API

extension HostileInputTests {
    @Suite struct APIErrors {
        static let undecodable: [Labelled<String>] = [
            .init("not JSON", "{not json"), .init("empty body", ""), .init("an array", #"["o/x"]"#), .init("a number for the name", #"{"name": 5}"#),
            .init("a string for private", #"{"name": "o/typed", "private": "yes"}"#), .init("an array for the description", #"{"name": "o/typed", "description": []}"#),
            .init("cut short", #"{"name": "o/typed""#), .init("null body", "null"),
        ]

        @Test(arguments: undecodable)
        func undecodableBodyIs400(body: Labelled<String>) throws {
            let node = try HostileInputTests.node()
            let before = try HostileInputTests.repositoryList(node)
            try node.expectNothingStored {
                let reply = try node.json("POST", "/api/repos", body.value)
                #expect(reply.status == 400, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
                #expect(try HostileInputTests.repositoryList(node) == before)
            }
        }

        static let badNames: [Labelled<String>] = [
            "o/../x", "a/b/c", "/x", "o/", "o/x.git", "api/x", ".o/x", "o/x y", "o/é", "o/" + String(repeating: "n", count: 101),
            "o/" + String(repeating: "h", count: 900_000),
        ].map { .init($0.count > 120 ? "a name of \($0.count) characters" : $0.debugDescription, $0) }

        @Test(arguments: badNames)
        func invalidRepositoryNameIs422(name: Labelled<String>) throws {
            let node = try HostileInputTests.node()
            let before = try HostileInputTests.repositoryList(node)
            try node.expectNothingStored {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["name": name.value]), as: UTF8.self)
                let reply = try node.json("POST", "/api/repos", body)
                #expect(reply.status == 422, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
                #expect(try HostileInputTests.repositoryList(node) == before)
            }
        }

        static let badBranches = ["a..b", "x.lock", "@{u}", "a b", "", "x/", "a~b", "a\u{01}b", ".hidden", "a//b"]

        @Test(arguments: badBranches)
        func invalidDefaultBranchOnCreateIs422(branch: String) throws {
            let node = try HostileInputTests.node()
            let fresh = HostileInputTests.newName()
            try node.expectNothingStored(absent: [fresh]) {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["name": fresh, "default_branch": branch]), as: UTF8.self)
                let reply = try node.json("POST", "/api/repos", body)
                #expect(reply.status == 422, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
            }
        }

        @Test(arguments: badBranches)
        func invalidDefaultBranchOnUpdateIs422(branch: String) throws {
            let node = try HostileInputTests.node()
            let before = try node.get("/api/repos/o/pub").text
            try node.expectNothingStored {
                let body = String(decoding: try JSONSerialization.data(withJSONObject: ["default_branch": branch, "description": "changed"]), as: UTF8.self)
                let reply = try node.json("PATCH", "/api/repos/o/pub", body)
                #expect(reply.status == 422, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
                #expect(try node.get("/api/repos/o/pub").text == before)
            }
        }

        @Test(arguments: [#"{"private": "yes"}"#, #"{"description": 5}"#, #"{"allow_force_push": null, "private": 1}"#])
        func wronglyTypedUpdateIs400(body: String) throws {
            let node = try HostileInputTests.node()
            let before = try node.get("/api/repos/o/pub").text
            try node.expectNothingStored {
                let reply = try node.json("PATCH", "/api/repos/o/pub", body)
                #expect(reply.status == 400, "\(reply.status) \(reply.text.prefix(200))")
                #expect(try node.get("/api/repos/o/pub").text == before)
            }
        }

        @Test(arguments: ["/api/repos", "/api/repos/o/pub/branches", "/api/repos/o/pub/tags", "/api/repos/o/pub/commits"], ["0", "abc", "-1", "1.5"])
        func badLimitIs400(route: String, limit: String) throws {
            let node = try HostileInputTests.node()
            try node.expectNothingStored {
                let reply = try node.get("\(route)?limit=\(limit)")
                #expect(reply.status == 400, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
            }
        }

        static let cursors: [Labelled<String>] = [
            .init("not hex", "xyz"), .init("the zero id", "ZERO"), .init("a blob", "BLOB"), .init("a commit of another branch", "SIDE"),
            .init("an unreachable commit", "GONE"),
        ]

        @Test(arguments: cursors)
        func cursorOutsideTheHistoryIs400(cursor: Labelled<String>) throws {
            let node = try HostileInputTests.node()
            let fixture = node.fixture
            let value = ["ZERO": Push.zero, "BLOB": fixture.readmeBlob, "SIDE": fixture.side, "GONE": fixture.gone][cursor.value] ?? cursor.value
            try node.expectNothingStored {
                let reply = try node.get("/api/repos/o/pub/commits?ref=main&cursor=\(value)")
                #expect(reply.status == 400, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
            }
        }

        @Test func concurrentPatchesDoNotUndoEachOther() throws {
            let node = try HostileInputTests.node()
            #expect(try node.json("POST", "/api/repos", #"{"name": "o/race"}"#).status == 201)
            final class Statuses: @unchecked Sendable {
                let lock = NSLock()
                var values = [Int]()
                func append(_ status: Int) {
                    lock.lock()
                    values.append(status)
                    lock.unlock()
                }
            }
            for round in 0..<5 {
                let statuses = Statuses()
                let group = DispatchGroup()
                for index in 0..<51 {
                    group.enter()
                    let body = index == 25 ? #"{"private": true}"# : #"{"description": "round \#(round) writer \#(index)"}"#
                    Thread {
                        defer { group.leave() }
                        let head = RawHTTP.head("PATCH", "/api/repos/o/race", headers: [
                            ("Authorization", HostileNode.Auth.write.headerValue!), ("Content-Type", Array("application/json".utf8)), ("Content-Length", Array(String(body.utf8.count).utf8)),
                        ])
                        let status = (try? node.raw.exchange([head + Data(body.utf8)], timeout: 30).reply.status) ?? 0
                        statuses.append(status)
                    }.start()
                }
                group.wait()
                #expect(statuses.values.count == 51 && statuses.values.allSatisfy { $0 == 200 }, "\(statuses.values)")
                let final = try node.get("/api/repos/o/race", auth: .write)
                #expect(final.object["private"] as? Bool == true, "round \(round): \(final.text)")
                #expect((final.object["description"] as? String)?.hasPrefix("round \(round) writer ") == true)
                #expect(try node.json("PATCH", "/api/repos/o/race", #"{"private": false}"#).status == 200)
            }
            try node.expectAlive()
        }
    }
}

// MARK: - Content paths

extension HostileInputTests {
    @Suite struct ContentPaths {
        static let invalid = [
            "/o/pub/raw/main/../README.md", "/o/pub/raw/main/./README.md", "/o/pub/raw/main/src/..", "/o/pub/raw/main/..",
            "/o/pub/raw/main/src/./main.rs", "/o/pub/raw/main/%2E%2E/README.md", "/o/pub/raw/main/src/%2e", "/o/pub/raw/main/src%2Fmain.rs",
            "/o/pub/raw/main/src%2F..%2FREADME.md", "/o/pub/raw/main/README.md%00", "/o/pub/raw/main/%00/x",
            "/api/repos/o/pub/tree/main/..", "/api/repos/o/pub/tree/main/src/..", "/api/repos/o/pub/tree/main/./src",
            "/api/repos/o/pub/tree/main/caf%C3%A9%2F..", "/api/repos/o/pub/tree/main/src%00",
        ]

        @Test(arguments: invalid)
        func dotComponentsSlashesAndNULAreInvalidPaths(path: String) throws {
            let node = try HostileInputTests.node()
            try node.expectNothingStored {
                HostileInputTests.expectJSONError(try node.get(path), 400, "invalid path")
            }
        }

        static let files: [Labelled<[String]>] = [
            .init("percent-encoded space", ["/o/pub/raw/main/with%20space.txt", "spaced out\n"]),
            .init("non-ASCII names", ["/o/pub/raw/main/caf%C3%A9/na%C3%AFve.txt", "accented\n"]),
            .init(".gitignore", ["/o/pub/raw/main/.gitignore", "target/\n"]),
            .init("Cargo.lock", ["/o/pub/raw/main/Cargo.lock", "# This file is automatically @generated by Cargo.\n"]),
            .init("branch with a slash", ["/o/pub/raw/feature/x/file", "feature\n"]),
            .init("longest ref first", ["/o/pub/raw/rel/x/file.txt", "from branch\n"]),
            .init("a tag that a longer branch extends", ["/o/pub/raw/rel/README.md", "hello\nmore\n"]),
            .init("full commit id in uppercase", ["/o/pub/raw/MAINUPPER/README.md", "hello\nmore\n"]),
            .init("full commit id", ["/o/pub/raw/MAIN/src/main.rs", "fn main() {}\n"]),
        ]

        @Test(arguments: files)
        func existingFilesAreServed(file: Labelled<[String]>) throws {
            let node = try HostileInputTests.node()
            let path = file.value[0].replacingOccurrences(of: "MAINUPPER", with: node.fixture.main.uppercased()).replacingOccurrences(of: "MAIN", with: node.fixture.main)
            let reply = try node.get(path)
            #expect(reply.status == 200, "\(reply.status) \(reply.text.prefix(200))")
            #expect(reply.text == file.value[1])
            try node.expectAlive()
        }

        @Test func nonASCIIDirectoryIsListed() throws {
            let node = try HostileInputTests.node()
            let reply = try node.get("/api/repos/o/pub/tree/main/caf%C3%A9")
            #expect(reply.status == 200, "\(reply.status) \(reply.text.prefix(200))")
            #expect(((reply.json as? [[String: Any]]) ?? []).compactMap { $0["path"] as? String } == ["café/naïve.txt"])
            try node.expectAlive()
        }

        static let missing = [
            "/o/pub/raw/main/src%5Cmain.rs", "/o/pub/raw/main/" + String(repeating: "a/", count: 1000) + "x",
            "/o/pub/raw/main/" + String(repeating: "l", count: 5000), "/api/repos/o/pub/tree/main/" + String(repeating: "d", count: 5000),
        ]

        @Test(arguments: missing)
        func oddButValidPathsAreNotFound(path: String) throws {
            let node = try HostileInputTests.node()
            try node.expectNothingStored {
                let reply = try node.get(path)
                #expect(reply.status == 404, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
            }
        }

        static let unreachable = [
            "/o/pub/raw/GONE/gone.txt", "/api/repos/o/pub/tree/GONE/", "/api/repos/o/pub/commits?ref=GONE", "/o/pub/archive/GONE.tar.gz",
            "/api/repos/o/pub/tarball/GONE",
        ]

        @Test(arguments: unreachable)
        func commitNoRefReachesIsNotServed(route: String) throws {
            let node = try HostileInputTests.node()
            try node.expectNothingStored {
                let reply = try node.get(route.replacingOccurrences(of: "GONE", with: node.fixture.gone))
                #expect(reply.status == 404, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.object["error"] is String)
            }
        }
    }
}

// MARK: - Private repositories

extension HostileInputTests {
    @Suite struct PrivateRepositories {
        static let routes = [
            "GET /api/repos/o/NAME", "GET /api/repos/o/NAME/branches", "GET /api/repos/o/NAME/tags", "GET /api/repos/o/NAME/commits?ref=main",
            "GET /api/repos/o/NAME/tree/main/src", "GET /api/repos/o/NAME/tarball/main", "GET /api/repos/o/NAME/zipball/main",
            "GET /o/NAME/raw/main/README.md", "GET /o/NAME/archive/main.tar.gz",
            "GET /o/NAME.git/info/refs?service=git-upload-pack", "GET /o/NAME.git/info/refs?service=git-receive-pack",
            "POST /o/NAME.git/git-upload-pack", "GET /git/o/NAME/info/refs?service=git-upload-pack",
        ]

        static let callers: [Labelled<HostileNode.Auth>] = [
            .init("anonymous", .none), .init("wrong bearer token", .bearer("not-a-token")),
            .init("write token and 256 NUL bytes", .basic("git", Array(NodeProcess.writeToken.utf8) + [UInt8](repeating: 0, count: 256))),
        ]

        @Test(arguments: routes, callers)
        func privateRepositoryLooksMissing(route: String, caller: Labelled<HostileNode.Auth>) throws {
            let node = try HostileInputTests.node()
            let method = String(route.prefix { $0 != " " })
            func ask(_ name: String) throws -> HTTPClient.Reply {
                let target = String(route.dropFirst(method.count + 1)).replacingOccurrences(of: "NAME", with: name)
                let body = method == "POST" ? HostileInputTests.fetchV0(["want \(node.fixture.main)"]) : nil
                return try node.send(method, target, auth: caller.value, headers: method == "POST" ? [("Content-Type", "application/x-git-upload-pack-request")] : [], body: body).reply
            }
            try node.expectNothingStored(in: ["o/pub", "o/secret"]) {
                let hidden = try ask("secret")
                let missing = try ask("absent")
                let git = route.contains("git-") || route.hasPrefix("GET /git/")
                #expect(hidden.status == (git ? 401 : 404), "\(hidden.status) \(hidden.text.prefix(200))")
                #expect(missing.status == hidden.status, "missing \(missing.status), private \(hidden.status)")
                let hiddenBody = hidden.text.replacingOccurrences(of: "o/secret", with: "o/absent").replacingOccurrences(of: #"o\/secret"#, with: #"o\/absent"#)
                #expect(hiddenBody == missing.text)
                if git {
                    #expect(hidden.header("WWW-Authenticate") != nil && missing.header("WWW-Authenticate") != nil)
                } else {
                    #expect(hidden.object["error"] as? String == "repository o/secret not found", "\(hidden.text)")
                }
            }
        }

        @Test func anonymousListingOmitsPrivateRepositories() throws {
            let node = try HostileInputTests.node()
            let names = ((try node.get("/api/repos?limit=100").object["items"] as? [[String: Any]]) ?? []).compactMap { $0["full_name"] as? String }
            #expect(names.contains("o/pub") && !names.contains("o/secret"))
            try node.expectAlive()
        }
    }
}

// MARK: - Tokens

extension HostileInputTests {
    @Suite struct Tokens {
        static let token = Array(NodeProcess.writeToken.utf8)

        static let refused: [Labelled<HostileNode.Auth>] = [
            .init("basic, token and 256 NUL bytes", .basic("git", token + [UInt8](repeating: 0, count: 256))),
            .init("basic, token and 512 NUL bytes", .basic("git", token + [UInt8](repeating: 0, count: 512))),
            .init("basic, token and 1 NUL byte", .basic("git", token + [0])),
            .init("basic user, token and 256 NUL bytes", .basic(NodeProcess.writeToken + String(repeating: "\0", count: 256), [])),
            .init("bearer, token prefix", .bearer(String(NodeProcess.writeToken.dropLast()))),
            .init("bearer, token and one more byte", .bearer(NodeProcess.writeToken + "x")),
            .init("bearer, token in upper case", .bearer(NodeProcess.writeToken.uppercased())),
            .init("basic, empty password", .basic("git", [])),
        ]

        @Test(arguments: refused)
        func tokenThatIsNotExactlyConfiguredIs403(auth: Labelled<HostileNode.Auth>) throws {
            let node = try HostileInputTests.node()
            let fresh = HostileInputTests.newName()
            try node.expectNothingStored(absent: [fresh]) {
                let reply = try node.json("POST", "/api/repos", #"{"name": "\#(fresh)"}"#, auth: auth.value)
                #expect(reply.status == 403, "\(reply.status) \(reply.text.prefix(200))")
            }
        }

        @Test(arguments: [Labelled("empty bearer", HostileNode.Auth.header(Array("Bearer ".utf8))), Labelled("bare scheme", .header(Array("Bearer".utf8)))])
        func emptyBearerIsRefused(auth: Labelled<HostileNode.Auth>) throws {
            let node = try HostileInputTests.node()
            let fresh = HostileInputTests.newName()
            try node.expectNothingStored(absent: [fresh]) {
                let reply = try node.json("POST", "/api/repos", #"{"name": "\#(fresh)"}"#, auth: auth.value)
                #expect([401, 403].contains(reply.status), "\(reply.status) \(reply.text.prefix(200))")
            }
        }

        @Test func bearerWithNULBytesIsNotAValidHeader() throws {
            let node = try HostileInputTests.node()
            let fresh = HostileInputTests.newName()
            try node.expectNothingStored(absent: [fresh]) {
                let reply = try node.json("POST", "/api/repos", #"{"name": "\#(fresh)"}"#, auth: .header(Array("Bearer \(NodeProcess.writeToken)".utf8) + [UInt8](repeating: 0, count: 256)))
                #expect(reply.status == 400, "\(reply.status) \(reply.text.prefix(200))")
            }
        }

        @Test func pushWithPaddedTokenIs401() throws {
            let node = try HostileInputTests.node()
            let fresh = HostileInputTests.newName()
            try node.expectNothingStored(absent: [fresh]) {
                let body = Push.commands([(Push.zero, node.fixture.main, Array("refs/heads/main".utf8))], pack: node.fixture.fullPack)
                let reply = try node.git("git-receive-pack", fresh, body, auth: .basic("git", Self.token + [UInt8](repeating: 0, count: 256)))
                #expect(reply.status == 401, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.header("WWW-Authenticate") != nil)
            }
        }
    }

    /// Start-up checks, each on a `guts serve` of its own with no token in the environment.
    @Suite struct StartUp {
        /// Runs `guts serve` for at most 3 seconds; a node that starts is stopped by `timeout` (status 124).
        static func serve(_ directory: String, config: String? = nil) throws -> Shell.Output {
            var arguments = "--listen 127.0.0.1:0 --data-dir '\(directory)/data'"
            if let config {
                try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
                arguments += " --config '\(directory)/config.json'"
            }
            return try Shell.run("env -u GUTS_ADMIN_TOKEN -u GUTS_WRITE_TOKEN timeout 3 '\(NodeProcess.executable)' serve \(arguments)", in: directory)
        }

        static func errorLines(_ output: Shell.Output) -> [Substring] {
            output.stderr.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        }

        @Test(arguments: [true, false])
        func emptyConfiguredTokenStopsTheNode(admin: Bool) throws {
            let directory = try Shell.temporaryDirectory("empty-token")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let output = try Self.serve(directory, config: #"{"tokens": [{"name": "x", "token": "", "admin": \#(admin)}]}"#)
            #expect(output.status != 0 && output.status != 124, "status \(output.status)")
            let lines = Self.errorLines(output)
            #expect(lines.count == 1 && lines[0].lowercased().contains("empty") && lines[0].lowercased().contains("token"), "\(output.stderr)")
        }

        @Test(arguments: [0o644, 0o640, 0o604, 0o666])
        func adminTokenFileReadableByOthersStopsTheNode(mode: Int) throws {
            let directory = try Shell.temporaryDirectory("token-mode")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
            let file = directory + "/data/admin-token"
            #expect(FileManager.default.createFile(atPath: file, contents: Data("0123456789abcdef0123456789abcdef\n".utf8), attributes: [.posixPermissions: mode]))
            let output = try Self.serve(directory)
            #expect(output.status != 0 && output.status != 124, "status \(output.status)")
            let lines = Self.errorLines(output)
            #expect(lines.count == 1 && lines[0].contains("admin-token") && lines[0].contains(String(mode, radix: 8)), "\(output.stderr)")
        }

        @Test func ownerOnlyAdminTokenFileIsUsed() throws {
            let directory = try Shell.temporaryDirectory("token-0600")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
            let token = "owner-only-admin-token-0123456789"
            #expect(FileManager.default.createFile(atPath: directory + "/data/admin-token", contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600]))
            let output = try Shell.run("""
                env -u GUTS_ADMIN_TOKEN -u GUTS_WRITE_TOKEN '\(NodeProcess.executable)' serve --listen 127.0.0.1:0 --data-dir data 2>log &
                pid=$!
                trap 'kill $pid 2>/dev/null || true' EXIT
                for i in $(seq 100); do [ -s data/node.json ] && break; sleep 0.1; done
                url=$(sed 's/.*"url":"\\([^"]*\\)".*/\\1/; s/\\\\//g' data/node.json)
                curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer \(token)' -H 'Content-Type: application/json' --data '{"name":"o/owner"}' "$url/api/repos"
                kill $pid; wait $pid || true
                """, in: directory)
            #expect(output.stdout == "201", "\(output.stdout) \(output.stderr)")
        }
    }
}

// MARK: - Archives of odd refs

extension HostileInputTests {
    @Suite struct Archives {
        static let routes = ["/api/repos/o/pub/tarball/REF", "/api/repos/o/pub/zipball/REF", "/o/pub/archive/REF.tar.gz", "/o/pub/archive/REF.zip"]

        @Test(arguments: HostileFixture.longBranches, routes)
        func archiveOfALongBranchName(branch: String, route: String) throws {
            let node = try HostileInputTests.node()
            #expect(try node.refs("o/pub").contains("refs/heads/\(branch)\n"))
            let reply = try node.get(route.replacingOccurrences(of: "REF", with: branch))
            #expect(reply.status == 200, "\(reply.status) \(reply.text.prefix(300))")
            let magic = route.contains("zip") ? [UInt8(ascii: "P"), UInt8(ascii: "K")] : [0x1f, 0x8b]
            #expect(Array(reply.body.prefix(2)) == magic)
            try node.expectAlive()
        }

        static let missing = [
            "/o/pub/archive/nope.tar.gz", "/api/repos/o/pub/tarball/nope", "/o/pub/archive/main.rar",
            "/api/repos/o/pub/zipball/" + String(repeating: "c", count: 300), "/o/pub/archive/" + String(repeating: "c", count: 300) + ".tar.gz",
        ]

        @Test(arguments: missing)
        func archiveOfAMissingRefIs404(route: String) throws {
            let node = try HostileInputTests.node()
            try node.expectNothingStored {
                let reply = try node.get(route)
                #expect(reply.status == 404, "\(reply.status) \(reply.text.prefix(300))")
                #expect(reply.object["error"] is String)
            }
        }
    }
}
