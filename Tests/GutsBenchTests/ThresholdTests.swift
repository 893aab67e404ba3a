import Foundation
import GutsTestSupport
import Testing
@testable import GutsBench

@Suite struct ThresholdTests {
    @Test(arguments: [
        ("api.read.p99<20ms", "api.read.p99", Threshold.Comparison.less, 20.0, "ms"),
        ("api.read.p99 <= 0.5 s", "api.read.p99", .lessOrEqual, 0.5, "s"),
        ("clone.throughput>=50MB/s", "clone.throughput", .greaterOrEqual, 50, "MB/s"),
        ("api.read.throughput>1e3req/s", "api.read.throughput", .greater, 1000, "req/s"),
        ("api.read.errors<1", "api.read.errors", .less, 1, nil),
        ("api.read.p99.9<-2.5e-1ms", "api.read.p99.9", .less, -0.25, "ms"),
        ("push.native.p95<2e", "push.native.p95", .less, 2, "e"),
    ] as [(String, String, Threshold.Comparison, Double, String?)])
    func parses(_ text: String, metric: String, comparison: Threshold.Comparison, value: Double, unit: String?) throws {
        let threshold = try Threshold(parsing: text)
        #expect(threshold == Threshold(metric: metric, comparison: comparison, value: value, unit: unit))
    }

    @Test(arguments: ["", "api.read.p99", "<20ms", "api.read.p99<", "api.read.p99<ms", "api read<3", "a<3<4", "a<=>3", "a<.e5", "a<1 ms s"])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: BenchError.self) { try Threshold(parsing: text) }
    }

    @Test func convertsCompatibleUnitsOnly() throws {
        #expect(try Threshold(parsing: "x<20ms").limit(in: "s") == 0.02)
        #expect(try Threshold(parsing: "x<2s").limit(in: "ms") == 2000)
        #expect(try Threshold(parsing: "x<1500us").limit(in: "ms") == 1.5)
        #expect(try Threshold(parsing: "x>1GB/s").limit(in: "MB/s") == 1000)
        #expect(try Threshold(parsing: "x>3").limit(in: "req/s") == 3)
        #expect(try Threshold(parsing: "x>3req/s").limit(in: "req/s") == 3)
        #expect(try Threshold(parsing: "x>3ms").limit(in: "req/s") == nil)
        #expect(try Threshold(parsing: "x>3MB").limit(in: "MB/s") == nil)
    }

    @Test func gateNamesEveryBreachedThreshold() throws {
        let report = RegressionGateTests.report(readP99: 20, throughput: 5000)
        let thresholds = try ["api.read.p99<20ms", "api.read.p99<=20ms", "api.read.p99<0.019s", "api.read.throughput>=5000", "api.read.throughput>5000req/s", "api.read.errors<1"]
            .map(Threshold.init(parsing:))
        let breaches = try ThresholdGate(thresholds).breaches(in: report)
        #expect(breaches.map(\.threshold.description) == ["api.read.p99<20ms", "api.read.p99<0.019s", "api.read.throughput>5000req/s"])
        #expect(breaches.first?.description == "api.read.p99 = 20 ms, breaching api.read.p99<20ms")
        #expect(throws: BenchError.unknownMetric("api.read.p98", known: ["api.read.p99", "api.read.throughput", "api.read.errors"])) {
            try ThresholdGate([Threshold(parsing: "api.read.p98<1ms")]).breaches(in: report)
        }
        #expect(throws: BenchError.incompatibleUnit(threshold: "api.read.p99<1MB", metricUnit: "ms")) {
            try ThresholdGate([Threshold(parsing: "api.read.p99<1MB")]).breaches(in: report)
        }
    }

    /// `guts bench --fail-on` on a real API run against its embedded node: generous thresholds
    /// exit 0, impossible ones exit 3 and name each breach; a threshold on no metric exits 2.
    @Test func benchCommandExitsAsTheThresholdsSay() throws {
        let work = try Shell.temporaryDirectory("fail-on")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let bench = "'\(ServeProcess.executable)' bench api --duration 0.5 --warmup 0.1 --samples 1 --connections 4 --write-connections 1"
        let passing = try Shell.run("\(bench) --fail-on 'api.read.p99<60s' --fail-on 'api.read.throughput>0' --fail-on 'api.write.errors<=0'", in: work)
        #expect(passing.status == 0, "\(passing.stderr)")
        #expect(passing.stderr.contains("all 3 --fail-on thresholds hold"))
        #expect(passing.stdout.contains("read.p99"))
        let failing = try Shell.run("\(bench) --fail-on 'api.read.p99<1ns' --fail-on 'api.read.throughput>0' --fail-on 'api.read.throughput>1e12'", in: work)
        #expect(failing.status == 3, "\(failing.stderr)")
        let breached = failing.stderr.split(separator: "\n").filter { $0.hasPrefix("THRESHOLD ") }
        #expect(breached.count == 2)
        #expect(breached.first?.hasSuffix("breaching api.read.p99<1ns") == true)
        #expect(breached.last?.hasSuffix("breaching api.read.throughput>1000000000000") == true)
        let unknown = try Shell.run("\(bench) --fail-on 'api.nothing<1'", in: work)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--fail-on names no metric of the report: api.nothing"))
        let malformed = try Shell.run("\(bench) --fail-on 'api.read.p99 20ms'", in: work)
        #expect(malformed.status == 64)
        #expect(malformed.stderr.contains("invalid --fail-on 'api.read.p99 20ms'"))
    }
}
