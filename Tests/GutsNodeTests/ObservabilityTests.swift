import Foundation
import GutsTestSupport
import Testing

/// `/metrics` read by Prometheus's own tools: `promtool check metrics` on the exposition,
/// Debian's `prometheus` scraping a node for every panel of the Grafana dashboard under
/// `deploy/`, and `promtool check rules` on the rules there.
@Suite struct ObservabilityTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let rules = repositoryRoot + "/deploy/prometheus/guts-rules.yml"
    static let dashboard = repositoryRoot + "/deploy/grafana/guts-dashboard.json"

    /// A node that has served a push, a clone, API and raw reads, and a 404.
    static func busyNode(in work: String) async throws -> NodeProcess {
        let node = try NodeProcess()
        try Shell.check("""
            git init -q -b main src && cd src
            for i in 1 2 3; do echo "line $i" >> README; git add README; git commit -qm "commit $i"; done
            git push -q '\(node.authenticatedURL("acme/metrics"))' main
            cd .. && git clone -q '\(node.anonymousURL("acme/metrics"))' clone
            """, in: work)
        let client = HTTPClient(baseURL: node.baseURL)
        for path in ["/health/live", "/api/repos", "/api/repos/acme/metrics/commits", "/acme/metrics/raw/main/README", "/no/such/thing/here"] {
            _ = try await client.send("GET", path)
        }
        return node
    }

    /// The `# TYPE` of each family in an exposition.
    static func types(_ exposition: String) -> [String: [String]] {
        var types: [String: [String]] = [:]
        for line in exposition.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            if parts.count == 4 { types[String(parts[2]), default: []].append(String(parts[3])) }
        }
        return types
    }

    @Test func metricsPassPromtoolWithCountersAsCountersAndRouteTemplates() async throws {
        let work = try Shell.temporaryDirectory("metrics")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let node = try await Self.busyNode(in: work)
        let exposition = try await HTTPClient(baseURL: node.baseURL).send("GET", "/metrics").text
        FileManager.default.createFile(atPath: work + "/metrics.txt", contents: Data(exposition.utf8))
        let check = try Shell.run("promtool check metrics < metrics.txt", in: work)
        #expect(check.status == 0, "promtool: \(check.stdout)\(check.stderr)")

        let types = Self.types(exposition)
        #expect(types["guts_http_requests_total"] == ["counter"])
        #expect(types["guts_http_request_duration_seconds"] == ["histogram"])
        for (name, declared) in types {
            #expect(declared.count == 1, "\(name) declared \(declared.count) times")
            #expect(name.hasSuffix("_total") == (declared == ["counter"]), "\(name) is a \(declared)")
        }
        for route in ["/health/live", "/api/repos/{owner}/{name}/commits", "/{owner}/{name}/git-receive-pack",
                      "/{owner}/{name}/git-upload-pack", "/{owner}/{name}/raw/{ref}/{path}"] {
            #expect(exposition.contains("route=\"\(route)\""), "no series for \(route)")
        }
        #expect(!exposition.contains("route=\"/acme/"), "a route label holds a path")
        #expect(exposition.contains("guts_rocksdb_sst_bytes{cf=\"objects\"}"))

        // The CLI's Prometheus output names the caches as /metrics does.
        node.stop()
        let stats = try Shell.run("exec '\(NodeProcess.executable)' cache-stats --data-dir '\(node.dataDirectory)' --format prom > stats.txt"
            + " && promtool check metrics < stats.txt", in: work)
        #expect(stats.status == 0, "\(stats.stdout)\(stats.stderr)")
        let statsTypes = Self.types(String(decoding: FileManager.default.contents(atPath: work + "/stats.txt") ?? Data(), as: UTF8.self))
        #expect(statsTypes.keys.contains("guts_cache_hits_total"))
        for (name, declared) in statsTypes { #expect(types[name] == declared, "cache-stats has \(name) as \(declared), /metrics as \(types[name] ?? [])") }
    }

    @Test func rulesPassPromtool() throws {
        let check = try Shell.run("promtool check rules '\(Self.rules)'", in: Self.repositoryRoot)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("SUCCESS"))
    }

    /// Prometheus scrapes a node every second; each expression of each dashboard panel,
    /// with the dashboard's variables filled in, returns at least one series.
    @Test(.timeLimit(.minutes(2))) func prometheusHasDataForEveryDashboardPanel() async throws {
        let work = try Shell.temporaryDirectory("prometheus")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let node = try await Self.busyNode(in: work)
        let port = try Shell.check("python3 -c 'import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'", in: work)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let configuration = """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: ['\(Self.rules)']
            scrape_configs:
              - job_name: guts
                static_configs: [{targets: ['127.0.0.1:\(node.port)']}]
            """
        FileManager.default.createFile(atPath: work + "/prometheus.yml", contents: Data(configuration.utf8))
        let prometheus = Process()
        prometheus.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        prometheus.arguments = ["--config.file=\(work)/prometheus.yml", "--storage.tsdb.path=\(work)/tsdb",
                                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"]
        prometheus.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        FileManager.default.createFile(atPath: work + "/prometheus.log", contents: nil)
        prometheus.standardError = FileHandle(forWritingAtPath: work + "/prometheus.log")
        try prometheus.run()
        defer {
            prometheus.terminate()
            prometheus.waitUntilExit()
        }
        let client = HTTPClient(baseURL: "http://127.0.0.1:\(port)")
        func query(_ expression: String) async throws -> [Any]? {
            let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let reply = try await client.send("GET", "/api/v1/query?query=\(encoded)")
            return (reply.object["data"] as? [String: Any])?["result"] as? [Any]
        }

        let expressions = try Self.panelExpressions()
        #expect(expressions.count >= 20)
        var missing = expressions
        let deadline = ContinuousClock.now + .seconds(60)
        while !missing.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            var still: [(panel: String, expression: String)] = []
            for panel in missing where try await query(panel.expression)?.isEmpty ?? true { still.append(panel) }
            missing = still
        }
        let log = String(decoding: FileManager.default.contents(atPath: work + "/prometheus.log") ?? Data(), as: UTF8.self)
        #expect(missing.isEmpty, "no data for \(missing.map { "\($0.panel): \($0.expression)" }); prometheus log: \(log)")
        #expect(try await query("ALERTS{alertstate=\"firing\"}")?.isEmpty == true, "an alert fires on a healthy node")
    }

    /// Every target expression of the dashboard's panels, `$__rate_interval` as Grafana
    /// would set it for a 1 s scrape and `$instance` as its "All" value.
    static func panelExpressions() throws -> [(panel: String, expression: String)] {
        let data = try #require(FileManager.default.contents(atPath: dashboard))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var panels = (root["panels"] as? [[String: Any]]) ?? []
        panels += panels.flatMap { ($0["panels"] as? [[String: Any]]) ?? [] }
        return panels.flatMap { panel in
            ((panel["targets"] as? [[String: Any]]) ?? []).compactMap { target in
                (target["expr"] as? String).map { expression in
                    (panel: panel["title"] as? String ?? "?",
                     expression: expression.replacingOccurrences(of: "$__rate_interval", with: "10s")
                        .replacingOccurrences(of: "$instance", with: ".+"))
                }
            }
        }
    }
}
