import Foundation
import GutsTestSupport
import Testing

/// The JSON API, raw contents and operations endpoints of a running node.
@Suite(.serialized) struct APIEndToEndTests {
    let node: NodeProcess
    let client: HTTPClient
    let source: String

    init() throws {
        node = try NodeProcess()
        client = HTTPClient(baseURL: node.baseURL)
        source = try GitEndToEndTests.sample.get()
        try Shell.check("git push -q '\(node.authenticatedURL("acme/project"))' 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'", in: source)
    }

    @Test func repositoryLifecycleAndErrors() async throws {
        let token = NodeProcess.writeToken
        #expect(try await client.send("POST", "/api/repos", json: ["name": "team/a"]).status == 401)
        #expect(try await client.send("POST", "/api/repos", token: "wrong", json: ["name": "team/a"]).status == 403)
        let created = try await client.send("POST", "/api/repos", token: token, json: ["name": "team/a", "description": "first"])
        #expect(created.status == 201)
        #expect(created.object["full_name"] as? String == "team/a")
        #expect(created.header("Location") == "/api/repos/team/a")
        // Links are absolute, from the address the node listens on, and JSON leaves slashes alone.
        #expect(created.object["clone_url"] as? String == "\(node.baseURL)/team/a.git")
        #expect(created.object["html_url"] as? String == "\(node.baseURL)/team/a")
        #expect(!created.text.contains("\\/"), "\(created.text)")
        #expect(try Shell.run("git ls-remote '\(created.object["clone_url"] as? String ?? "")'", in: NSTemporaryDirectory()).status == 0)
        #expect(try await client.send("POST", "/api/repos", token: token, json: ["name": "team/a"]).status == 409)
        let invalid = try await client.send("POST", "/api/repos", token: token, json: ["name": "team/../x"])
        #expect(invalid.status == 422)
        #expect((invalid.object["error"] as? String)?.isEmpty == false)
        #expect(try await client.send("POST", "/api/repos", token: token, json: ["nom": "x"]).status == 422)
        #expect(try await client.send("POST", "/api/repos", token: token, body: Data("{not json".utf8)).status == 400)
        let huge = Data(repeating: UInt8(ascii: " "), count: 2 << 20)
        #expect(try await client.send("POST", "/api/repos", token: token, body: huge).status == 413)

        for name in ["team/b", "team/c", "team/d"] {
            #expect(try await client.send("POST", "/api/repos", token: token, json: ["name": name]).status == 201)
        }
        var seen = [String]()
        var cursor: String?
        repeat {
            let page = try await client.send("GET", "/api/repos?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
            #expect(page.status == 200)
            let items = page.object["items"] as? [[String: Any]] ?? []
            #expect(items.count <= 2)
            seen += items.compactMap { $0["full_name"] as? String }
            cursor = page.object["next_cursor"] as? String
        } while cursor != nil
        #expect(seen == ["acme/project", "team/a", "team/b", "team/c", "team/d"])
        #expect(try await client.send("GET", "/api/repos?limit=0").status == 400)

        let renamed = try await client.send("PATCH", "/api/repos/team/a", token: token, json: ["name": "team/renamed", "private": true])
        #expect(renamed.status == 200)
        #expect(renamed.object["private"] as? Bool == true)
        #expect(try await client.send("GET", "/api/repos/team/a").status == 404)
        // A private repository looks exactly like a missing one to a stranger.
        let hidden = try await client.send("GET", "/api/repos/team/renamed")
        let missing = try await client.send("GET", "/api/repos/team/nothing-here")
        #expect(hidden.status == 404)
        #expect((hidden.object["error"] as? String)?.replacingOccurrences(of: "team/renamed", with: "X")
                == (missing.object["error"] as? String)?.replacingOccurrences(of: "team/nothing-here", with: "X"))
        #expect(try await client.send("GET", "/api/repos/team/renamed", token: token).status == 200)
        #expect(try await client.send("DELETE", "/api/repos/team/renamed").status == 401)
        #expect(try await client.send("DELETE", "/api/repos/team/renamed", token: token).status == 204)
        #expect(try await client.send("GET", "/api/repos/team/renamed", token: token).status == 404)
        #expect(try await client.send("DELETE", "/api/repos/team/renamed", token: token).status == 404)
    }

    @Test func branchesTagsCommitsTreesAndRaw() async throws {
        let branches = try await client.send("GET", "/api/repos/acme/project/branches?limit=100")
        let expectedBranches = try Shell.check("git for-each-ref --format='%(refname:strip=2)' refs/heads", in: source).split(separator: "\n").map(String.init)
        #expect((branches.object["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == expectedBranches)
        let tags = try await client.send("GET", "/api/repos/acme/project/tags?limit=100")
        #expect((tags.object["items"] as? [[String: Any]])?.count == Int(try Shell.check("git tag | wc -l", in: source).trimmingCharacters(in: .whitespacesAndNewlines)))

        let expectedLog = try Shell.check("git log --format=%H main | head -45", in: source).split(separator: "\n").map(String.init)
        var log = [String]()
        var cursor: String?
        for _ in 0..<3 {
            let page = try await client.send("GET", "/api/repos/acme/project/commits?ref=main&limit=15" + (cursor.map { "&cursor=\($0)" } ?? ""))
            #expect(page.status == 200)
            log += (page.object["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            cursor = page.object["next_cursor"] as? String
        }
        #expect(log == expectedLog)
        #expect(try await client.send("GET", "/api/repos/acme/project/commits?ref=nope").status == 404)
        #expect(try await client.send("GET", "/api/repos/acme/project/commits?cursor=xyz").status == 400)

        let tree = try await client.send("GET", "/api/repos/acme/project/tree/main/src")
        #expect(tree.status == 200)
        #expect((tree.json as? [[String: Any]])?.first?["path"] as? String == "src/main.txt")
        #expect(try await client.send("GET", "/api/repos/acme/project/tree/main/nope").status == 404)
        #expect(try await client.send("GET", "/api/repos/acme/project/tree/main/run.sh").status == 422)

        let head = try Shell.check("git rev-parse main", in: source).trimmingCharacters(in: .whitespacesAndNewlines)
        let expected = try Shell.check("git show main:src/main.txt", in: source)
        let byBranch = try await client.send("GET", "/acme/project/raw/main/src/main.txt")
        #expect(byBranch.status == 200)
        #expect(byBranch.text == expected)
        #expect(byBranch.header("Cache-Control")?.contains("must-revalidate") == true)
        let byID = try await client.send("GET", "/acme/project/raw/\(head)/src/main.txt")
        #expect(byID.header("Cache-Control") == "public, max-age=31536000, immutable")
        let etag = try #require(byID.header("ETag"))
        #expect(etag.hasPrefix("\""))
        #expect(try await client.send("GET", "/acme/project/raw/\(head)/src/main.txt", headers: ["If-None-Match": etag]).status == 304)
        #expect(try await client.send("GET", "/acme/project/raw/main/src/main.txt", headers: ["If-None-Match": "\"other\""]).status == 200)
        #expect(try await client.send("GET", "/acme/project/raw/main/missing.txt").status == 404)
        #expect(try await client.send("GET", "/acme/project/raw/\(String(repeating: "0", count: 40))/x").status == 404)
        let feature = try await client.send("GET", "/acme/project/raw/feature/3/docs/feature-3.md")
        #expect(feature.text == (try Shell.check("git show feature/3:docs/feature-3.md", in: source)))
    }

    /// A file named by a full commit id is answered from memory once read, until the refs
    /// change: deleting the only branch that reaches the commit makes it 404 at once.
    @Test func rawByCommitIDIsNotServedOnceTheCommitIsUnreachable() async throws {
        let work = try Shell.temporaryDirectory("raw-unreachable")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let commit = try Shell.check("""
            git init -q -b main side && cd side
            echo base > file.txt && git add file.txt && git commit -qm base
            git push -q '\(node.authenticatedURL("acme/side"))' main
            git checkout -q -b topic && echo topic > file.txt && git commit -qam topic
            git push -q '\(node.authenticatedURL("acme/side"))' topic
            git rev-parse topic
            """, in: work).trimmingCharacters(in: .whitespacesAndNewlines)
        for _ in 0..<3 {
            let reply = try await client.send("GET", "/acme/side/raw/\(commit)/file.txt")
            #expect(reply.status == 200)
            #expect(reply.text == "topic\n")
        }
        try Shell.check("git push -q '\(node.authenticatedURL("acme/side"))' :topic", in: work + "/side")
        #expect(try await client.send("GET", "/acme/side/raw/\(commit)/file.txt").status == 404)
        try Shell.check("git push -q '\(node.authenticatedURL("acme/side"))' topic", in: work + "/side")
        #expect(try await client.send("GET", "/acme/side/raw/\(commit)/file.txt").text == "topic\n")
    }

    @Test func operationsEndpoints() async throws {
        for path in ["/health", "/health/live", "/health/ready", "/health/startup"] {
            let reply = try await client.send("GET", path)
            #expect(reply.status == 200, "\(path)")
            #expect(reply.object["status"] as? String == "ok")
            #expect(reply.header("x-request-id")?.isEmpty == false)
        }
        #expect(try await client.send("GET", "/health", headers: ["x-request-id": "abc-123"]).header("x-request-id") == "abc-123")
        #expect(try await client.send("GET", "/version").object["version"] as? String != nil)
        let metrics = try await client.send("GET", "/metrics").text
        #expect(metrics.contains("guts_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}"))
        #expect(metrics.contains("guts_git_received_bytes_total{service=\"git-receive-pack\"}"))
        #expect(metrics.contains("guts_rocksdb_live_data_bytes{cf=\"objects\"}"))
        #expect(metrics.contains("guts_http_request_duration_seconds_bucket"))
        #expect(!node.log().contains(NodeProcess.writeToken))
    }
}
