import Foundation
import Testing
@testable import GutsProfiler

/// Tests that use the process-wide sampler run one at a time.
@Suite(.serialized)
struct CPUProfilerTests {
    @Test func hotFunctionCarriesMostSamples() throws {
        let outcome = try ProfilerSelfTest.run(seconds: 1.5, rate: 499)
        let stats = try #require(outcome.profile.statistics)
        print("hot path: \(outcome.hotFrameName ?? "-") \(outcome.hotFraction); \(stats.summary)")
        for (name, count) in outcome.profile.topSelf(limit: 5) { print("  \(count) \(name)") }
        #expect(outcome.profile.totalCount >= 50)
        #expect(outcome.hotFraction > 0.5)
        let name = try #require(outcome.hotFrameName)
        #expect(name.contains("hotLoopForProfilerTest(iterations:"))
    }
}
