import Foundation
import GutsTestSupport
import Testing

/// The response cache in front of the router: repeated anonymous reads are answered from
/// memory, never after the change that made them stale and never with what only a caller
/// with credentials may see, counted and logged like every other request.
@Suite(.serialized) struct ResponseCacheTests {
    let node: NodeProcess
    let client: HTTPClient
    let work: String

    init() throws {
        node = try NodeProcess()
        client = HTTPClient(baseURL: node.baseURL)
        work = try Shell.temporaryDirectory("response-cache")
        try Shell.check("""
            git init -q -b main source && cd source
            echo one > file.txt && git add file.txt && git commit -qm one
            git checkout -q -b other && echo other > file.txt && git commit -qam other && git checkout -q main
            git push -q '\(node.authenticatedURL("acme/cache"))' main other
            """, in: work)
    }

    /// `guts_cache_hits_total{cache="anonymous-responses"}` as `/metrics` reports it.
    private func cacheHits() async throws -> Int {
        let text = try await client.send("GET", "/metrics").text
        let line = text.split(separator: "\n").first { $0.hasPrefix("guts_cache_hits_total{") && $0.contains(#"cache="anonymous-responses""#) }
        return Int(line?.split(separator: " ").last ?? "") ?? -1
    }

    private func firstCommit(_ path: String) async throws -> String? {
        let page = try await client.send("GET", path)
        return (page.object["items"] as? [[String: Any]])?.first?["id"] as? String
    }

    private func commit(_ message: String) throws -> String {
        try Shell.check("""
            echo '\(message)' > file.txt && git commit -qam '\(message)'
            git push -q '\(node.authenticatedURL("acme/cache"))' main
            git rev-parse main
            """, in: work + "/source").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func repeatsComeFromMemoryUntilTheRefsMove() async throws {
        let head = try Shell.check("git rev-parse main", in: work + "/source").trimmingCharacters(in: .whitespacesAndNewlines)
        let paths = ["/api/repos/acme/cache/commits?ref=main", "/acme/cache/raw/main/file.txt", "/acme/cache/raw/\(head)/file.txt", "/health/live", "/api/repos"]
        var first = [String: HTTPClient.Reply]()
        for path in paths { first[path] = try await client.send("GET", path) }
        let hitsBefore = try await cacheHits()
        for path in paths {
            let again = try await client.send("GET", path)
            #expect(again.status == 200, "\(path)")
            if path != "/health/live" { #expect(again.body == first[path]?.body, "\(path)") }
            #expect(again.header("Content-Type") == first[path]?.header("Content-Type"), "\(path)")
            #expect(again.header("x-guts-cache") == nil && again.header("x-guts-cache-route") == nil, "\(path): internal headers leaked")
            #expect(again.header("x-request-id") != nil && again.header("x-request-id") != first[path]?.header("x-request-id"))
            #expect(again.header("Date") != nil)
        }
        #expect(try await cacheHits() - hitsBefore == paths.count, "every repeat answered from the cache")

        let next = try commit("two")
        #expect(try await firstCommit("/api/repos/acme/cache/commits?ref=main") == next)
        #expect(try await client.send("GET", "/acme/cache/raw/main/file.txt").text == "two\n")
        // A full id stays answerable while a ref reaches it; once none does, it is gone.
        #expect(try await client.send("GET", "/acme/cache/raw/\(head)/file.txt").text == "one\n")
        try Shell.check("git push -q -f '\(node.authenticatedURL("acme/cache"))' other:main", in: work + "/source")
        #expect(try await client.send("GET", "/acme/cache/raw/\(next)/file.txt").status == 404)
        #expect(try await client.send("GET", "/acme/cache/raw/main/file.txt").text == "other\n")
    }

    @Test func privacyAndTheDefaultBranchTakeEffectAtOnce() async throws {
        let token = NodeProcess.writeToken
        for _ in 0..<2 { #expect(try await client.send("GET", "/acme/cache/raw/main/file.txt").status == 200) }
        for _ in 0..<2 { #expect(try await client.send("GET", "/api/repos").text.contains("acme/cache")) }
        #expect(try await client.send("PATCH", "/api/repos/acme/cache", token: token, json: ["private": true]).status == 200)
        #expect(try await client.send("GET", "/acme/cache/raw/main/file.txt").status == 404)
        #expect(!(try await client.send("GET", "/api/repos").text.contains("acme/cache")))
        // A caller with credentials is answered by the router and fills nothing strangers read.
        for _ in 0..<2 { #expect(try await client.send("GET", "/acme/cache/raw/main/file.txt", token: token).text == "one\n") }
        #expect(try await client.send("GET", "/acme/cache/raw/main/file.txt").status == 404)
        #expect(try await client.send("PATCH", "/api/repos/acme/cache", token: token, json: ["private": false]).status == 200)

        let other = try Shell.check("git rev-parse other", in: work + "/source").trimmingCharacters(in: .whitespacesAndNewlines)
        let main = try Shell.check("git rev-parse main", in: work + "/source").trimmingCharacters(in: .whitespacesAndNewlines)
        for _ in 0..<2 { #expect(try await firstCommit("/api/repos/acme/cache/commits") == main) }
        #expect(try await client.send("PATCH", "/api/repos/acme/cache", token: token, json: ["default_branch": "other"]).status == 200)
        #expect(try await firstCommit("/api/repos/acme/cache/commits") == other)
    }

    /// Pipelined requests get their answers in order although the cache could answer a
    /// later one before the router answers an earlier one; `Connection: close` is honoured.
    @Test func pipelinedAnswersKeepTheirOrder() async throws {
        let cached = "/acme/cache/raw/main/file.txt"
        let hitsBefore = try await cacheHits()
        for _ in 0..<2 { _ = try await client.send("GET", cached) }
        #expect(try await cacheHits() - hitsBefore == 1, "the file is cached before the pipelined requests")
        func keepAlive(_ target: String) -> Data { Data("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8) }
        let requests = keepAlive("/api/repos/acme/cache/branches") + keepAlive(cached) + keepAlive("/api/repos/acme/cache/tags")
            + keepAlive(cached) + RawHTTP.head("GET", "/health/live", headers: [])
        let exchange = try RawHTTP(port: node.port).exchange([requests], timeout: 20)
        #expect(exchange.closed, "the node closes after the Connection: close request")
        let text = String(decoding: exchange.raw, as: UTF8.self)
        let markers = ["\"name\":\"main\"", "one\n", "\"items\":[]", "one\n", "\"status\":\"ok\""]
        var position = text.startIndex
        for marker in markers {
            let found = try #require(text.range(of: marker, range: position..<text.endIndex), "\(marker) in order in \(text)")
            position = found.upperBound
        }
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == 5)
    }

    @Test func answersFromMemoryAreCountedAndLogged() async throws {
        func served() async throws -> Int {
            let text = try await client.send("GET", "/metrics").text
            let line = text.split(separator: "\n").first { $0.hasPrefix("guts_http_requests_total{") && $0.contains(#"route="/health/live""#) && $0.contains(#"status="200""#) }
            return Int(line?.split(separator: " ").last ?? "") ?? 0
        }
        let before = try await served()
        let hitsBefore = try await cacheHits()
        for _ in 0..<5 { _ = try await client.send("GET", "/health/live", headers: ["X-Request-ID": "cache-test-id"]) }
        #expect(try await served() - before == 5)
        #expect(try await cacheHits() - hitsBefore >= 4)
        // Access lines are written in batches: wait for this one's.
        var logged: [Substring] = []
        for _ in 0..<50 where logged.count < 5 {
            try await Task.sleep(for: .milliseconds(100))
            logged = node.log().split(separator: "\n").filter { $0.contains("request-id=cache-test-id") }
        }
        #expect(logged.count == 5)
        // The line the router's requests get, field for field (theirs adds Hummingbird's own id).
        let line = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO request method=GET ms=\d+ path=\/health\/live request-id=cache-test-id status=200$/
        #expect(logged.filter { $0.wholeMatch(of: line) != nil }.count >= 4, "\(logged)")
    }
}
