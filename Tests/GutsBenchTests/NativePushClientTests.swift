import Foundation
import GutsGit
import GutsTestSupport
import Testing
@testable import GutsBench

/// `NativePushClient` against a node started by the test, checked with the stock git.
@Suite(.serialized) struct NativePushClientTests {
    static func content(_ bytes: Int) -> [UInt8] { PushScenario.base64Content(bytes: bytes) }

    /// Runs `body` against a fresh embedded node and shuts it down afterwards.
    static func withNode(_ body: (BenchNode) async throws -> Void) async throws {
        let node = try await BenchNode.embedded()
        do {
            try await body(node)
        } catch {
            await node.shutdown()
            throw error
        }
        await node.shutdown()
    }

    /// Runs `script` on a thread of its own: a blocking wait on a cooperative thread could
    /// starve the embedded node, which serves from the same pool.
    @discardableResult
    static func git(_ script: String, in directory: String = NSTemporaryDirectory()) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Shell.check(script, in: directory) })
            }
        }
    }

    /// The branch's id as `git ls-remote` sees it.
    static func lsRemote(_ node: BenchNode, _ repository: String, branch: String = "main") async throws -> String {
        let output = try await git("git ls-remote '\(node.gitURL(repository))' refs/heads/\(branch)")
        return String(output.split(separator: "\t").first ?? "")
    }

    @Test func pushMovesTheBranchAndTheRepositoryIsSound() async throws {
        try await Self.withNode { node in
            let client = node.nativePushClient()
            let repository = "native/push-\(UUID().uuidString.prefix(8).lowercased())"
            let created = try await client.pushCommit(repository: repository, branch: "main", content: Self.content(48 << 10))
            #expect(created.old == .zero)
            #expect(created.packBytes > 48 << 10 / 2)
            let second = try await client.pushCommit(repository: repository, branch: "main", content: Self.content(64 << 10))
            #expect(second.old == created.new)
            #expect(try await client.advertisedRefs(repository: repository)["refs/heads/main"] == second.new)
            #expect(try await Self.lsRemote(node, repository) == second.new.hex)

            let work = try Shell.temporaryDirectory("native-push")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let log = try await Self.git("""
                git clone -q '\(node.gitURL(repository))' clone && cd clone && git fsck --strict --no-progress && \
                test "$(wc -c < bench.txt)" -eq \(64 << 10) && git log --format=%H
                """, in: work)
            #expect(log.split(separator: "\n") == [Substring(second.new.hex), Substring(created.new.hex)])
        }
    }

    @Test func pushToAGutsServeProcess() async throws {
        let serve = try ServeProcess()
        defer { serve.stop() }
        let node = try BenchNode.remote(url: serve.baseURL, token: ServeProcess.writeToken)
        let client = node.nativePushClient()
        let repository = "native/serve-\(UUID().uuidString.prefix(8).lowercased())"
        let first = try await client.pushCommit(repository: repository, branch: "main", content: Self.content(32 << 10))
        let second = try await client.pushCommit(repository: repository, branch: "main", content: Self.content(32 << 10))
        #expect(second.old == first.new)
        #expect(try await Self.lsRemote(node, repository) == second.new.hex)
        let work = try Shell.temporaryDirectory("native-serve")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try await Self.git("git clone -q '\(node.gitURL(repository))' clone && git -C clone fsck --strict --no-progress", in: work)
    }

    @Test func aStaleOldIDIsReportedAsAFailure() async throws {
        try await Self.withNode { node in
            let client = node.nativePushClient()
            let repository = "native/stale-\(UUID().uuidString.prefix(8).lowercased())"
            let first = try await client.pushCommit(repository: repository, branch: "main", content: Self.content(1024))
            let second = try await client.pushCommit(repository: repository, branch: "main", content: Self.content(1024))
            let next = NativePushClient.commitObjects(content: Self.content(1024), parent: second.new, message: "stale\n")
            await #expect {
                try await client.push(repository: repository, ref: "refs/heads/main", old: first.new, new: next.commit, objects: next.objects)
            } throws: { error in
                guard case NativePushError.rejected(let ref, _) = error else { return false }
                return ref == "refs/heads/main"
            }
            #expect(try await Self.lsRemote(node, repository) == second.new.hex)
        }
    }

    @Test func credentials() async throws {
        try await Self.withNode { node in
            let token = try #require(node.token)
            let repository = "native/auth-\(UUID().uuidString.prefix(8).lowercased())"
            let bearer = NativePushClient(host: node.host, port: node.port, credentials: .bearer(token))
            let update = try await bearer.pushCommit(repository: repository, branch: "topic", content: Self.content(100))
            #expect(try await Self.lsRemote(node, repository, branch: "topic") == update.new.hex)
            let anonymous = NativePushClient(host: node.host, port: node.port)
            await #expect(throws: NativePushError.self) {
                try await anonymous.pushCommit(repository: repository, branch: "topic", content: Self.content(100))
            }
            let wrong = NativePushClient(host: node.host, port: node.port, credentials: .basic(user: "x", password: "wrong"))
            do {
                _ = try await wrong.pushCommit(repository: repository, branch: "topic", content: Self.content(100))
                Issue.record("a wrong token pushed")
            } catch let error as NativePushError {
                guard case .httpStatus(let status, _) = error else { throw error }
                #expect(status == 401)
            }
        }
    }

    @Test func reportParsing() throws {
        func sideBand(_ lines: [String], band: UInt8 = 1) throws -> [UInt8] {
            let report = try lines.flatMap { try PktLine.encode(line: $0) } + PktLine.flush
            return PktLine.encodeSideBand(report, band: band) + PktLine.flush
        }
        let ref = "refs/heads/main"
        try NativePushClient.parseReport(try sideBand(["unpack ok", "ok \(ref)"]), ref: ref)
        #expect(throws: NativePushError.rejected(ref: ref, reason: "non-fast-forward")) {
            try NativePushClient.parseReport(try sideBand(["unpack ok", "ng \(ref) non-fast-forward"]), ref: ref)
        }
        #expect(throws: NativePushError.unpackFailed("bad pack")) {
            try NativePushClient.parseReport(try sideBand(["unpack bad pack", "ng \(ref) unpacker error"]), ref: ref)
        }
        #expect(throws: NativePushError.remoteError("denied")) {
            try NativePushClient.parseReport(try PktLine.encode(line: "ERR denied"), ref: ref)
        }
        #expect(throws: NativePushError.remoteError("boom")) {
            try NativePushClient.parseReport(PktLine.encodeSideBand(Array("boom\n".utf8), band: 3), ref: ref)
        }
        #expect(throws: NativePushError.self) { try NativePushClient.parseReport([], ref: ref) }
        #expect(throws: NativePushError.malformedReport("no status for \(ref)")) {
            try NativePushClient.parseReport(try sideBand(["unpack ok", "ok refs/heads/other"]), ref: ref)
        }
    }

    @Test func advertisementParsing() throws {
        let tip = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        var body = try PktLine.encode(line: "# service=git-receive-pack") + PktLine.flush
        body += try PktLine.encode(Array("\(tip.hex) refs/heads/main\u{0}report-status side-band-64k\n".utf8))
        body += try PktLine.encode(line: "\(tip.hex) refs/tags/v1^{}") + PktLine.flush
        #expect(try NativePushClient.parseAdvertisement(body) == ["refs/heads/main": tip])
        var empty = try PktLine.encode(line: "# service=git-receive-pack") + PktLine.flush
        empty += try PktLine.encode(Array("\(ObjectID.zero.hex) capabilities^{}\u{0}report-status\n".utf8)) + PktLine.flush
        #expect(try NativePushClient.parseAdvertisement(empty).isEmpty)
        #expect(throws: NativePushError.malformedAdvertisement("bad ref line 'nonsense'")) {
            try NativePushClient.parseAdvertisement(try PktLine.encode(line: "nonsense") + PktLine.flush)
        }
    }
}
