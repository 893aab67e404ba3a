import Foundation
import Testing
@testable import GutsBench

@Suite struct OpenLoopDriverTests {
    /// One slot, operations due every 50 ms that take 100 ms: each waits longer than the one
    /// before, and its latency from the due time counts that wait; the service time does not.
    @Test func aSaturatedSlotCountsTheWaitAndTheMissedOperations() async {
        let result = await OpenLoopDriver(rate: 20, duration: 1, concurrency: 1).run { _, _ in usleep(100_000) }
        #expect(result.errors == 0)
        #expect(result.completed > 0 && result.completed < 20)
        #expect(result.completed + result.missed == 20)
        #expect(result.late > 0)
        #expect(result.service.value(atPercentile: 99) >= 100_000_000)
        #expect(result.latency.value(atPercentile: 99) > 2 * result.service.value(atPercentile: 99))
    }

    @Test func fastOperationsAllRunAndFailuresAreCounted() async {
        struct Failure: Error {}
        let result = await OpenLoopDriver(rate: 20, duration: 1, warmup: 0.2, concurrency: 2).run { _, sequence in
            if sequence % 4 == 0 { throw Failure() }
        }
        #expect(result.completed + result.errors == 20)
        #expect(result.missed == 0)
        #expect(result.errors == 5)
        #expect(result.firstError == "Failure()")
        let metrics = OpenLoopDriver.Result.metrics(prefix: "rate", [result])
        #expect(metrics.map(\.name) == [
            "rate.p50", "rate.p90", "rate.p95", "rate.p99", "rate.max", "rate.service.p99", "rate.throughput", "rate.errors", "rate.late",
            "rate.missed",
        ])
    }
}
