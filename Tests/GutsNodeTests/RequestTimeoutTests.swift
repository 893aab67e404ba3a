import Foundation
import GutsTestSupport
import Testing
@testable import GutsNode

/// `guts serve --request-timeout` on a real node: a handler past the deadline (503), a
/// request body still arriving (408, connection closed), a streamed pack cut at the
/// deadline, and requests within it unaffected.
@Suite(.serialized) struct RequestTimeoutTests {
    /// The value of one series (name with labels) in the node's `/metrics`, nil if absent.
    func metric(_ series: String, on client: HTTPClient) async throws -> String? {
        let text = try await client.send("GET", "/metrics").text
        return text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.map { String($0.dropFirst(series.count + 1)) }
    }

    /// A CPU profile asked for 20 s sleeps in its handler: the node answers at the 2 s
    /// deadline and stops the process-wide sampler although the handler was cancelled.
    @Test func slowHandlerGets503AndTheNodeKeepsServing() async throws {
        let node = try NodeProcess(extraArguments: ["--request-timeout", "2"])
        let client = HTTPClient(baseURL: node.baseURL)

        let started = ContinuousClock.now
        let slow = try await client.send("GET", "/admin/profile/cpu?seconds=20", token: NodeProcess.adminToken)
        let elapsed = ContinuousClock.now - started
        #expect(slow.status == 503)
        #expect(slow.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(slow.object["error"] as? String == "request timed out after 2 s")
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(12), "answered after \(elapsed)")

        let profile = try await client.send("GET", "/admin/profile/cpu?seconds=1", token: NodeProcess.adminToken)
        #expect(profile.status == 200, "the cancelled profile left the sampler running: \(profile.text)")
        #expect(try await client.send("GET", "/api/repos").status == 200)

        #expect(try await metric("guts_http_request_timeouts_total{phase=\"handler\"}", on: client) == "1")
        #expect(try await metric("guts_http_requests_total{method=\"GET\",route=\"/admin/profile/cpu\",status=\"503\"}", on: client) == "1")
        #expect(node.log().contains("request timed out"))
        #expect(node.log().contains("phase=handler"))
    }

    /// A client that sends half of a JSON body and then waits gets 408 at the deadline,
    /// and the node closes the connection although the client keeps its side open.
    @Test func requestBodyStillArrivingGets408AndTheConnectionCloses() async throws {
        let node = try NodeProcess(extraArguments: ["--request-timeout", "2"])
        let work = try Shell.temporaryDirectory("timeout-body")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let request = "POST /api/repos HTTP/1.1\\r\\nHost: guts\\r\\nAuthorization: Bearer \(NodeProcess.writeToken)\\r\\n"
            + "Content-Type: application/json\\r\\nContent-Length: 100\\r\\n\\r\\n{\"name\":"
        let output = try Shell.run("""
            exec 3<>/dev/tcp/127.0.0.1/\(node.port)
            printf '\(request)' >&3
            SECONDS=0
            timeout 20 cat <&3 > reply || { echo "connection still open after $SECONDS s" >&2; exit 1; }
            echo $SECONDS
            """, in: work)
        #expect(output.status == 0, "\(output.stderr)")
        let reply = String(decoding: FileManager.default.contents(atPath: work + "/reply") ?? Data(), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 408"), "\(reply)")
        #expect(reply.lowercased().contains("connection: close"))
        #expect(reply.hasSuffix("{\"error\":\"request timed out after 2 s while the request body was still arriving\"}\n"), "\(reply)")
        #expect((Int(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99) < 10)

        let client = HTTPClient(baseURL: node.baseURL)
        #expect(try await metric("guts_http_request_timeouts_total{phase=\"request-body\"}", on: client) == "1")
        #expect(try await metric("guts_http_requests_total{method=\"POST\",route=\"/api/repos\",status=\"408\"}", on: client) == "1")
        let created = try await client.send("POST", "/api/repos", token: NodeProcess.writeToken, json: ["name": "team/in-time"])
        #expect(created.status == 201)
    }

    /// A 24 MiB pack to a client that reads nothing for 7 s: the node has sent what the
    /// socket buffers hold when the 4 s deadline passes, and its next write ends the
    /// response, so the client sees the connection close early. A clone within the
    /// deadline still succeeds.
    @Test func streamedPackIsCutAtTheDeadline() async throws {
        let work = try Shell.temporaryDirectory("timeout-pack")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let head = try Shell.check("""
            git init -q -b main source && cd source
            head -c 24M /dev/urandom > big.bin
            git add big.bin && git commit -q -m big
            git rev-parse HEAD
            """, in: work).trimmingCharacters(in: .whitespacesAndNewlines)
        let setup = try NodeProcess()
        try Shell.check("git push -q '\(setup.authenticatedURL("acme/big"))' main", in: work + "/source")
        setup.stop()
        let node = try NodeProcess(dataDirectory: setup.dataDirectory, extraArguments: ["--request-timeout", "4"])

        let slow = try Shell.run("""
            printf '0032want \(head)\\n00000009done\\n' \\
              | curl -sS -X POST -H 'Content-Type: application/x-git-upload-pack-request' --data-binary @- \\
                  '\(node.anonymousURL("acme/big"))/git-upload-pack' \\
              | { sleep 7; wc -c; }
            echo "curl=${PIPESTATUS[1]}"
            """, in: work)
        let lines = slow.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let received = lines.first.flatMap { Int($0) } ?? -1
        #expect(lines.last == "curl=18", "curl should report a truncated transfer: \(slow.stdout) \(slow.stderr)")
        #expect(received > 0 && received < 24 << 20, "received \(received) bytes")

        try Shell.check("git clone -q '\(node.anonymousURL("acme/big"))' clone && cmp clone/big.bin source/big.bin", in: work)
        let client = HTTPClient(baseURL: node.baseURL)
        #expect(try await metric("guts_http_request_timeouts_total{phase=\"response-body\"}", on: client) == "1")
        #expect(node.log().contains("phase=response-body"))
        #expect(!node.log().contains("pack generation failed"))
    }

    @Test func settingComesFromConfigFileEnvironmentAndFlag() throws {
        var configuration = NodeConfiguration()
        #expect(configuration.requestTimeoutSeconds == 3600)
        let directory = try Shell.temporaryDirectory("timeout-config")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(#"{"requestTimeoutSeconds": 120}"#.utf8).write(to: URL(fileURLWithPath: directory + "/guts.json"))
        try configuration.merge(configFile: directory + "/guts.json")
        #expect(configuration.requestTimeoutSeconds == 120)
        try configuration.merge(environment: ["GUTS_REQUEST_TIMEOUT": "10m"])
        #expect(configuration.requestTimeoutSeconds == 600)
        try configuration.merge(environment: ["GUTS_REQUEST_TIMEOUT": "0"])
        #expect(configuration.requestTimeoutSeconds == 0)
        #expect(throws: NodeConfigurationError.self) { try configuration.merge(environment: ["GUTS_REQUEST_TIMEOUT": "1.5"]) }
        #expect(throws: NodeConfigurationError.self) { try configuration.merge(environment: ["GUTS_REQUEST_TIMEOUT": "soon"]) }
        configuration.requestTimeoutSeconds = -1
        #expect(throws: NodeConfigurationError.self) { try configuration.validate() }

        let refused = try Shell.run("'\(NodeProcess.executable)' serve --data-dir '\(directory)/data' --request-timeout 1.5", in: directory)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--request-timeout must be whole seconds"), "\(refused.stderr)")
    }
}
