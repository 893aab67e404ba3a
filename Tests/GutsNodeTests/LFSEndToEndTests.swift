import Foundation
import GutsTestSupport
import Testing

/// Git LFS against a real `guts serve`, driven by Debian's `git-lfs` client.
@Suite(.serialized) struct LFSEndToEndTests {
    static let megabyte = 1 << 20

    @Test func pushThreeLargeFilesThenCloneAndPullThemBack() async throws {
        let node = try NodeProcess()
        let client = HTTPClient(baseURL: node.baseURL)
        let work = try Shell.temporaryDirectory("lfs")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("""
            git init -q -b main source && cd source
            git lfs install --local >/dev/null
            git lfs track '*.bin' >/dev/null
            for n in 1 2 3; do head -c \(50 * Self.megabyte) /dev/urandom > big$n.bin; done
            echo readme > README
            git add .gitattributes README big1.bin big2.bin big3.bin
            git commit -qm 'three large files'
            git push -q '\(node.authenticatedURL("acme/media"))' main 2>&1
            """, in: work)
        let expected = try Shell.check("cd source && sha256sum big1.bin big2.bin big3.bin", in: work)
        // git stored pointers, the node the content.
        #expect(try Shell.check("cd source && git cat-file -p HEAD:big1.bin", in: work).hasPrefix("version https://git-lfs.github.com/spec/v1"))
        #expect(try await Self.gauge(client, "guts_lfs_stored_bytes") == Double(150 * Self.megabyte))
        #expect(try await Self.gauge(client, "guts_lfs_objects") == 3)

        try Shell.check("""
            GIT_LFS_SKIP_SMUDGE=1 git clone -q '\(node.authenticatedURL("acme/media"))' clone && cd clone
            git lfs install --local >/dev/null
            git lfs pull 2>&1
            """, in: work)
        #expect(try Shell.check("cd clone && sha256sum big1.bin big2.bin big3.bin", in: work) == expected)
        #expect(try await Self.gauge(client, "guts_lfs_sent_bytes_total") >= Double(150 * Self.megabyte))

        // Without a token, an LFS upload is refused and nothing is stored.
        try Shell.check("cd source && head -c 1000 /dev/urandom > big4.bin && git add big4.bin && git commit -qm four", in: work)
        let anonymous = try Shell.run("cd source && git lfs push '\(node.anonymousURL("acme/media"))' main 2>&1", in: work)
        #expect(anonymous.status != 0)
        #expect(try await Self.gauge(client, "guts_lfs_objects") == 3)

        // A private repository refuses an anonymous download exactly as a missing one does.
        let patched = try await client.send("PATCH", "/api/repos/acme/media", token: NodeProcess.writeToken, json: ["private": true])
        #expect(patched.status == 200)
        let oid = try Shell.check("cd source && git lfs ls-files -l | head -1 | cut -d' ' -f1", in: work).trimmingCharacters(in: .whitespacesAndNewlines)
        let batch = ["operation": "download", "objects": [["oid": oid, "size": 50 * Self.megabyte]]] as [String: Any]
        let lfsHeaders = ["Accept": "application/vnd.git-lfs+json"]
        let refused = try await client.send("POST", "/acme/media.git/info/lfs/objects/batch", json: batch, headers: lfsHeaders)
        let missing = try await client.send("POST", "/acme/nothing.git/info/lfs/objects/batch", json: batch, headers: lfsHeaders)
        #expect(refused.status == 401 && missing.status == 401)
        #expect(refused.header("LFS-Authenticate") != nil)
        let direct = try await client.send("GET", "/acme/media.git/info/lfs/objects/\(oid)")
        #expect(direct.status == 401 && direct.body.count < 1000)
        let allowed = try await client.send("POST", "/acme/media.git/info/lfs/objects/batch", token: NodeProcess.writeToken, json: batch, headers: lfsHeaders)
        #expect(allowed.status == 200)
        #expect(((allowed.object["objects"] as? [[String: Any]])?.first?["actions"] as? [String: Any])?["download"] != nil)
        let anonymousPull = try Shell.run("cd clone && rm -rf .git/lfs/objects && git lfs pull '\(node.anonymousURL("acme/media"))' 2>&1", in: work)
        #expect(anonymousPull.status != 0)
    }

    @Test func uploadsAreVerifiedBoundedAndLeaveNothingBehindWhenRefused() async throws {
        let node = try NodeProcess()
        let client = HTTPClient(baseURL: node.baseURL)
        let created = try await client.send("POST", "/api/repos", token: NodeProcess.writeToken, json: ["name": "acme/assets"])
        #expect(created.status == 201)
        let content = Data("hello lfs\n".utf8)
        let oid = try Shell.check("printf 'hello lfs\\n' | sha256sum | cut -d' ' -f1", in: node.dataDirectory).trimmingCharacters(in: .whitespacesAndNewlines)
        let path = "/acme/assets.git/info/lfs/objects/"
        let token = NodeProcess.writeToken

        let wrongHash = try await client.send("PUT", path + String(repeating: "a", count: 64), token: token, body: content)
        #expect(wrongHash.status == 422)
        let badID = try await client.send("PUT", path + "not-an-oid", token: token, body: content)
        #expect(badID.status == 422)
        let anonymous = try await client.send("PUT", path + oid, body: content)
        #expect(anonymous.status == 401)
        let gzip = try await client.send("PUT", path + oid, token: token, body: content, headers: ["Content-Encoding": "gzip"])
        #expect(gzip.status == 415)
        let chunked = try await client.send("PUT", path + oid, token: token, body: content, headers: ["Transfer-Encoding": "chunked"])
        #expect(chunked.status == 411)
        #expect(try await client.send("GET", path + oid).status == 404)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: node.dataDirectory + "/lfs/tmp")
        #expect(leftovers.isEmpty, "partial uploads removed: \(leftovers)")

        let stored = try await client.send("PUT", path + oid, token: token, body: content)
        #expect(stored.status == 200)
        let fetched = try await client.send("GET", path + oid)
        #expect(fetched.status == 200 && fetched.body == content)
        let verify = try await client.send("POST", "/acme/assets.git/info/lfs/verify", token: token, json: ["oid": oid, "size": content.count])
        #expect(verify.status == 200)
        let wrongSize = try await client.send("POST", "/acme/assets.git/info/lfs/verify", token: token, json: ["oid": oid, "size": 3])
        #expect(wrongSize.status == 422)

        let batch = try await client.send("POST", "/acme/assets.git/info/lfs/objects/batch", token: token, json: [
            "operation": "upload", "objects": [["oid": oid, "size": content.count], ["oid": "xyz", "size": 1], ["oid": String(repeating: "b", count: 64), "size": 5]],
        ])
        let objects = batch.object["objects"] as? [[String: Any]] ?? []
        #expect(objects.count == 3)
        #expect(objects.first?["actions"] == nil, "an object already stored needs no upload")
        #expect((objects.dropFirst().first?["error"] as? [String: Any])?["code"] as? Int == 422)
        #expect((objects.last?["actions"] as? [String: Any])?["upload"] != nil)
        let badJSON = try await client.send("POST", "/acme/assets.git/info/lfs/objects/batch", token: token, body: Data("{nope".utf8))
        #expect(badJSON.status == 400)
        let oversized = try await client.send("POST", "/acme/assets.git/info/lfs/objects/batch", token: token, json: [
            "operation": "upload", "objects": [["oid": String(repeating: "c", count: 64), "size": 1 << 40]],
        ])
        #expect(((oversized.object["objects"] as? [[String: Any]])?.first?["error"] as? [String: Any])?["code"] as? Int == 422)

        // Locks: one per path, listed, partitioned by owner, and only the owner (or force) unlocks.
        let locks = "/acme/assets.git/info/lfs/locks"
        let lock = try await client.send("POST", locks, token: token, json: ["path": "art/logo.psd"])
        #expect(lock.status == 201)
        let id = (lock.object["lock"] as? [String: Any])?["id"] as? String ?? ""
        let again = try await client.send("POST", locks, token: NodeProcess.adminToken, json: ["path": "art/logo.psd"])
        #expect(again.status == 409 && (again.object["lock"] as? [String: Any])?["id"] as? String == id)
        let listed = try await client.send("GET", locks + "?path=art/logo.psd")
        #expect((listed.object["locks"] as? [[String: Any]])?.count == 1)
        let verified = try await client.send("POST", locks + "/verify", token: NodeProcess.adminToken, json: [:])
        #expect((verified.object["theirs"] as? [[String: Any]])?.count == 1 && (verified.object["ours"] as? [[String: Any]])?.isEmpty == true)
        #expect(try await client.send("POST", locks + "/\(id)/unlock", token: NodeProcess.adminToken, json: [:]).status == 403)
        #expect(try await client.send("POST", locks + "/\(id)/unlock", token: token, json: [:]).status == 200)
        #expect(try await client.send("POST", locks + "/\(id)/unlock", token: token, json: [:]).status == 404)

        // Deleting the repository deletes its objects.
        #expect(try await client.send("DELETE", "/api/repos/acme/assets", token: token).status == 204)
        #expect(try await Self.gauge(client, "guts_lfs_objects") == 0)
        #expect(!FileManager.default.fileExists(atPath: node.dataDirectory + "/lfs/1"))
    }

    @Test func migrateExportAndImportCarryLFSObjects() async throws {
        let node = try NodeProcess()
        let work = try Shell.temporaryDirectory("lfs-migrate")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("""
            git init -q -b main source && cd source
            git lfs install --local >/dev/null && git lfs track '*.bin' >/dev/null
            head -c 300000 /dev/urandom > data.bin
            git add .gitattributes data.bin && git commit -qm data
            git push -q '\(node.authenticatedURL("acme/carry"))' main 2>&1
            """, in: work)
        let oid = try Shell.check("cd source && sha256sum data.bin | cut -d' ' -f1", in: work).trimmingCharacters(in: .whitespacesAndNewlines)
        let guts = "GUTS_ADMIN_TOKEN=\(NodeProcess.adminToken) '\(NodeProcess.executable)'"
        let dataDir = "--data-dir '\(node.dataDirectory)'"
        try Shell.check("\(guts) migrate export \(dataDir) acme/carry '\(work)/exported.git'", in: work)
        let exported = "\(work)/exported.git/lfs/objects/\(oid.prefix(2))/\(oid.dropFirst(2).prefix(2))/\(oid)"
        #expect(try Shell.check("sha256sum '\(exported)' | cut -d' ' -f1", in: work).trimmingCharacters(in: .whitespacesAndNewlines) == oid)

        try Shell.check("\(guts) migrate import \(dataDir) '\(work)/exported.git' --name acme/copy", in: work)
        let client = HTTPClient(baseURL: node.baseURL)
        let fetched = try await client.send("GET", "/acme/copy.git/info/lfs/objects/\(oid)")
        #expect(fetched.status == 200 && fetched.body.count == 300000)
        let stats = try Shell.check("\(guts) cache-stats \(dataDir) --format json", in: work)
        let lfs = ((try JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Any])?["caches"] as? [[String: Any]])?
            .first { $0["name"] as? String == "lfs" }
        #expect(lfs?["entries"] as? Int == 2 && lfs?["bytes"] as? Int == 600000)
    }

    static func gauge(_ client: HTTPClient, _ name: String) async throws -> Double {
        let metrics = try await client.send("GET", "/metrics").text
        let line = metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? -1
    }
}
