import Foundation
import Testing
@testable import GutsBench

@Suite struct RegressionGateTests {
    static func report(readP99: Double, throughput: Double, errors: Double = 0) -> BenchmarkReport {
        BenchmarkReport(
            date: "2026-11-23T00:00:00Z", target: "embedded",
            environment: BenchmarkEnvironment(cpuModel: "test", cores: 2, kernel: "k", buildConfiguration: "debug", rocksDBOptions: "", hostname: "h"),
            scenarios: [ScenarioResult(name: "api", metrics: [
                Metric("read.p99", readP99, unit: "ms", direction: .lowerIsBetter, target: .apiReadP99),
                Metric("read.throughput", throughput, unit: "req/s", direction: .higherIsBetter),
                Metric("read.errors", errors, unit: "count", direction: .informational),
            ])])
    }

    @Test func identicalResultsPass() {
        let report = Self.report(readP99: 20, throughput: 5000)
        #expect(RegressionGate(threshold: 0.10).regressions(current: report, baseline: report).isEmpty)
    }

    @Test func injectedSlowdownFailsNamingEachMetric() {
        let baseline = Self.report(readP99: 20, throughput: 5000)
        let slower = Self.report(readP99: 30, throughput: 4000, errors: 100)
        let regressions = RegressionGate(threshold: 0.10).regressions(current: slower, baseline: baseline)
        #expect(regressions.map(\.metric).sorted() == ["read.p99", "read.throughput"])
        #expect(regressions.first { $0.metric == "read.p99" }?.description.contains("api.read.p99 regressed 50%") == true)
    }

    @Test func changesWithinTheThresholdPass() {
        let baseline = Self.report(readP99: 20, throughput: 5000)
        let noisy = Self.report(readP99: 21.5, throughput: 4600)
        #expect(RegressionGate(threshold: 0.10).regressions(current: noisy, baseline: baseline).isEmpty)
        #expect(RegressionGate(threshold: 0.05).regressions(current: noisy, baseline: baseline).count == 2)
    }

    @Test func baselinesRoundTripThroughTheStore() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("guts-bench-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = BaselineStore(directory: directory)
        let report = Self.report(readP99: 20, throughput: 5000)
        try store.save(report, as: "main")
        #expect(try store.load("main") == report)
        #expect(throws: BenchError.baselineMissing(path: store.path(for: "other"))) { try store.load("other") }
        #expect(ReportFormatter.table(report).contains("read.p99"))
    }
}
