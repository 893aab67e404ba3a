import Foundation
import GutsTestSupport
import Testing

/// Webhooks from a real `guts serve` to real receivers on loopback.
@Suite(.serialized) struct WebhookEndToEndTests {
    static let secret = "it's-a-secret"

    /// A node that may deliver to loopback, with the given extra settings in a config file.
    static func node(settings: [String: Any] = [:]) throws -> NodeProcess {
        let directory = try Shell.temporaryDirectory("hook-config")
        let path = directory + "/config.json"
        FileManager.default.createFile(atPath: path, contents: try JSONSerialization.data(withJSONObject: settings))
        return try NodeProcess(extraArguments: ["--config", path, "--webhook-allowed-hosts", "loopback"])
    }

    static func createHook(_ client: HTTPClient, repository: String, url: String, events: [String] = ["push", "create", "delete"]) async throws -> HTTPClient.Reply {
        try await client.send("POST", "/api/repos/\(repository)/hooks", token: NodeProcess.writeToken, json: [
            "config": ["url": url, "content_type": "json", "secret": secret], "events": events, "active": true,
        ])
    }

    @Test func eachPushDeliversOneSignedPayloadWithItsCommits() async throws {
        let receiver = try WebhookReceiver(secret: Self.secret)
        let node = try Self.node()
        let client = HTTPClient(baseURL: node.baseURL)
        #expect(try await client.send("POST", "/api/repos", token: NodeProcess.writeToken, json: ["name": "acme/app", "private": true]).status == 201)
        let hook = try await Self.createHook(client, repository: "acme/app", url: receiver.url)
        #expect(hook.status == 201)
        #expect((hook.object["config"] as? [String: Any])?["secret"] as? String == "********")
        let hookID = hook.object["id"] as? Int ?? 0
        #expect(try await receiver.wait(for: 1, of: "ping").count == 1)

        let work = try Shell.temporaryDirectory("hook-push")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("""
            git init -q -b main repo && cd repo
            echo one > a.txt && echo keep > b.txt && git add . && git commit -qm first
            git push -q '\(node.authenticatedURL("acme/app"))' main
            """, in: work)
        let first = try await receiver.wait(for: 1, of: "push")
        #expect(first.count == 1)
        try Shell.check("""
            cd repo && echo two >> a.txt && git rm -q b.txt && echo new > c.txt && git add . && git commit -qm 'second: change a, drop b, add c'
            echo three >> a.txt && git commit -qam third
            git push -q '\(node.authenticatedURL("acme/app"))' main
            """, in: work)
        let pushes = try await receiver.wait(for: 2, of: "push")
        try await Task.sleep(for: .milliseconds(500))
        #expect(receiver.deliveries(of: "push").count == 2, "one delivery per push")
        #expect(receiver.deliveries(of: "create").count == 1, "the branch was created once")
        #expect(receiver.deliveries().allSatisfy { $0["signature_valid"] as? Bool == true })

        let payload = pushes.last?["payload"] as? [String: Any] ?? [:]
        let ids = try Shell.check("cd repo && git rev-list --reverse HEAD~2..HEAD", in: work).split(separator: "\n").map(String.init)
        #expect(payload["ref"] as? String == "refs/heads/main")
        #expect(payload["before"] as? String == (try Shell.check("cd repo && git rev-parse HEAD~2", in: work).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(payload["after"] as? String == ids.last)
        #expect(payload["created"] as? Bool == false && payload["deleted"] as? Bool == false && payload["forced"] as? Bool == false)
        let commits = payload["commits"] as? [[String: Any]] ?? []
        #expect(commits.map { $0["id"] as? String ?? "" } == ids)
        #expect(commits.first?["added"] as? [String] == ["c.txt"])
        #expect(commits.first?["removed"] as? [String] == ["b.txt"])
        #expect(commits.first?["modified"] as? [String] == ["a.txt"])
        #expect(commits.first?["message"] as? String == "second: change a, drop b, add c\n")
        #expect((commits.first?["author"] as? [String: Any])?["email"] as? String == "test@guts.invalid")
        #expect((commits.first?["timestamp"] as? String)?.count == 25)
        #expect((payload["head_commit"] as? [String: Any])?["id"] as? String == ids.last)
        let repository = payload["repository"] as? [String: Any] ?? [:]
        #expect(repository["full_name"] as? String == "acme/app" && repository["private"] as? Bool == true)
        #expect(repository["clone_url"] as? String == "\(node.baseURL)/acme/app.git")
        #expect((payload["pusher"] as? [String: Any])?["name"] as? String == "GUTS_WRITE_TOKEN")
        let firstCommits = (first.first?["payload"] as? [String: Any])?["commits"] as? [[String: Any]]
        #expect(firstCommits?.count == 1 && firstCommits?.first?["added"] as? [String] == ["a.txt", "b.txt"])

        // A forced push and a branch deletion.
        try Shell.check("""
            cd repo && git reset -q --hard HEAD~1 && echo other > d.txt && git add d.txt && git commit -qm rewritten
            git push -q -f '\(node.authenticatedURL("acme/app"))' main
            git push -q '\(node.authenticatedURL("acme/app"))' main:topic && git push -q '\(node.authenticatedURL("acme/app"))' :topic
            """, in: work)
        let later = try await receiver.wait(for: 5, of: "push")
        let forced = later.compactMap { $0["payload"] as? [String: Any] }.first { $0["forced"] as? Bool == true }
        #expect((forced?["commits"] as? [[String: Any]])?.count == 1)
        let deletion = try await receiver.wait(for: 1, of: "delete")
        #expect((deletion.first?["payload"] as? [String: Any])?["ref"] as? String == "topic")
        #expect((deletion.first?["payload"] as? [String: Any])?["ref_type"] as? String == "branch")

        // The delivery log, one delivery in full, and a redelivery with the same GUID.
        var entries: [[String: Any]] = []
        let settled = Date().addingTimeInterval(20)
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            let log = try await client.send("GET", "/api/repos/acme/app/hooks/\(hookID)/deliveries?limit=100", token: NodeProcess.writeToken)
            entries = log.json as? [[String: Any]] ?? []
        } while Date() < settled && !(entries.count == receiver.deliveries().count && entries.allSatisfy { $0["state"] as? String == "delivered" })
        #expect(entries.count == receiver.deliveries().count)
        #expect(entries.allSatisfy { $0["state"] as? String == "delivered" && $0["status_code"] as? Int == 200 })
        let newest = entries.first ?? [:]
        let full = try await client.send("GET", "/api/repos/acme/app/hooks/\(hookID)/deliveries/\(newest["id"] as? Int ?? 0)", token: NodeProcess.writeToken)
        #expect(((full.object["request"] as? [String: Any])?["headers"] as? [String: String])?["X-Hub-Signature-256"]?.hasPrefix("sha256=") == true)
        #expect(((full.object["response"] as? [String: Any])?["payload"] as? String) == "ok")
        let before = receiver.deliveries().count
        let again = try await client.send("POST", "/api/repos/acme/app/hooks/\(hookID)/deliveries/\(newest["id"] as? Int ?? 0)/attempts", token: NodeProcess.writeToken)
        #expect(again.status == 202)
        let deadline = Date().addingTimeInterval(20)
        while receiver.deliveries().count == before && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(receiver.deliveries().last?["delivery"] as? String == newest["guid"] as? String)

        // Strangers see nothing; a deleted hook stops.
        #expect(try await client.send("GET", "/api/repos/acme/app/hooks").status == 401)
        #expect(try await client.send("DELETE", "/api/repos/acme/app/hooks/\(hookID)", token: NodeProcess.writeToken).status == 204)
        #expect(try await client.send("GET", "/api/repos/acme/app/hooks/\(hookID)", token: NodeProcess.writeToken).status == 404)
    }

    @Test func aReceiverThatIsDownGetsTheDeliveryOnceBackEvenAfterARestart() async throws {
        let port = try WebhookReceiver.freePort()
        let node = try Self.node(settings: ["webhookRetrySeconds": 1, "webhookTimeoutSeconds": 2])
        let client = HTTPClient(baseURL: node.baseURL)
        #expect(try await client.send("POST", "/api/repos", token: NodeProcess.writeToken, json: ["name": "acme/svc"]).status == 201)
        let hook = try await Self.createHook(client, repository: "acme/svc", url: "http://127.0.0.1:\(port)/hook", events: ["push"])
        #expect(hook.status == 201)
        let hookID = hook.object["id"] as? Int ?? 0
        let work = try Shell.temporaryDirectory("hook-down")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("""
            git init -q -b main repo && cd repo && echo x > x && git add x && git commit -qm x
            git push -q '\(node.authenticatedURL("acme/svc"))' main
            """, in: work)
        // Wait for failed attempts while nothing listens.
        var attempted = false
        let deadline = Date().addingTimeInterval(30)
        while !attempted && Date() < deadline {
            let log = try await client.send("GET", "/api/repos/acme/svc/hooks/\(hookID)/deliveries", token: NodeProcess.writeToken)
            attempted = (log.json as? [[String: Any]] ?? []).contains { $0["event"] as? String == "push" && ($0["attempts"] as? Int ?? 0) >= 1 && $0["state"] as? String == "pending" }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(attempted, "a delivery failed and waits for a retry")
        #expect(node.stop() == 0)

        let receiver = try WebhookReceiver(port: port, secret: Self.secret)
        try node.restart()
        let pushes = try await receiver.wait(for: 1, of: "push", seconds: 60)
        #expect(pushes.count == 1 && pushes.first?["signature_valid"] as? Bool == true)
        #expect((pushes.first?["payload"] as? [String: Any])?["after"] as? String
                == (try Shell.check("cd repo && git rev-parse HEAD", in: work).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    @Test func internalAddressesAreRefusedUnlessAllowListed() async throws {
        let node = try NodeProcess()
        let client = HTTPClient(baseURL: node.baseURL)
        #expect(try await client.send("POST", "/api/repos", token: NodeProcess.writeToken, json: ["name": "acme/probe"]).status == 201)
        for url in ["http://127.0.0.1:9/hook", "http://localhost:9/", "http://[::1]:9/", "http://169.254.169.254/latest/meta-data",
                    "http://10.0.0.1/", "http://192.168.1.1/", "http://[::ffff:127.0.0.1]:9/", "http://0.0.0.0:9/"] {
            let reply = try await Self.createHook(client, repository: "acme/probe", url: url)
            #expect(reply.status == 422, "\(url) refused")
            #expect((reply.object["error"] as? String)?.contains("webhookAllowedHosts") == true, "\(url): \(reply.text)")
        }
        for url in ["ftp://example.com/", "not a url", "http://user:pw@127.0.0.1/"] {
            #expect(try await Self.createHook(client, repository: "acme/probe", url: url).status == 422, "\(url) refused")
        }
        let unknownEvent = try await client.send("POST", "/api/repos/acme/probe/hooks", token: NodeProcess.writeToken, json: [
            "config": ["url": "http://127.0.0.1:9/"], "events": ["pull_request"],
        ])
        #expect(unknownEvent.status == 422)
        let hooks = try await client.send("GET", "/api/repos/acme/probe/hooks", token: NodeProcess.writeToken)
        #expect((hooks.json as? [Any])?.isEmpty == true, "nothing was created")
    }

    @Test func aHangingReceiverDoesNotSlowPushes() async throws {
        let receiver = try WebhookReceiver(secret: Self.secret, hang: true)
        let node = try Self.node(settings: ["webhookTimeoutSeconds": 120])
        let client = HTTPClient(baseURL: node.baseURL)
        for name in ["acme/hooked", "acme/plain"] {
            #expect(try await client.send("POST", "/api/repos", token: NodeProcess.writeToken, json: ["name": name]).status == 201)
        }
        #expect(try await Self.createHook(client, repository: "acme/hooked", url: receiver.url, events: ["push"]).status == 201)
        let work = try Shell.temporaryDirectory("hook-hang")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("git init -q -b main repo && cd repo && echo x > x && git add x && git commit -qm x", in: work)
        // Pushes alternate between the hooked repository and a peer without hooks, so
        // both see the same machine; each is timed by itself.
        var hooked: [Double] = [], plain: [Double] = []
        for index in 0..<100 {
            try Shell.check("cd repo && git commit -q --allow-empty -m 'change \(index)'", in: work)
            for (name, times) in [("acme/hooked", 0), ("acme/plain", 1)] {
                let started = Date()
                try Shell.check("cd repo && git push -q '\(node.authenticatedURL(name))' main", in: work)
                let seconds = Date().timeIntervalSince(started)
                if times == 0 { hooked.append(seconds) } else { plain.append(seconds) }
            }
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        #expect(median(hooked) < median(plain) * 1.5 + 0.05, "median push \(median(hooked)) s with a hanging hook, \(median(plain)) s without")
        // The receiver really was hanging on deliveries while the pushes went through.
        let received = receiver.deliveries(of: "push").count
        #expect(received >= 1 && received <= 8 + 1, "\(received) deliveries reached the stuck receiver; the rest wait in the queue")
        let log = try await client.send("GET", "/api/repos/acme/hooked/hooks/1/deliveries?limit=100", token: NodeProcess.writeToken)
        #expect((log.json as? [[String: Any]] ?? []).filter { $0["event"] as? String == "push" }.count == 100, "every push queued a delivery")
    }
}
