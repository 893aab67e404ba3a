import Foundation
import Synchronization

/// Starts a blocking operation (a `git clone`, a `git push`) at a constant rate, open loop:
/// operation `n` is due at `start + n / rate` whether or not earlier ones finished. At most
/// `concurrency` run at once, each on its own thread (they block on child processes, which must
/// not hold the cooperative pool an embedded node runs on). Latency is measured from the due
/// time, so an operation that waited for a free slot counts its wait: the coordinated-omission
/// correction the API reads get from `HTTPLoadGenerator`'s constant-rate mode. No operation
/// starts after the window ends; those due in it that never started are counted as `missed`.
struct OpenLoopDriver: Sendable {
    /// Operations per second.
    var rate: Double
    /// Seconds operations are started for after warm-up.
    var duration: Double
    /// Seconds of operations that run but are not recorded.
    var warmup: Double = 0
    var concurrency: Int

    struct Result: Sendable {
        /// Nanoseconds from each operation's due time to its end.
        var latency = LatencyHistogram()
        /// Nanoseconds from each operation's actual start to its end.
        var service = LatencyHistogram()
        var completed = 0
        var errors = 0
        /// Operations that started more than 10 ms after they were due (no slot was free).
        var late = 0
        /// Operations due in the measured window that had not started when it ended.
        var missed = 0
        /// The measured window: `duration`, or to the last recorded end when that is later.
        var seconds = 0.0
        /// The first error's description, for the report's notes.
        var firstError: String?

        var perSecond: Double { seconds > 0 ? Double(completed) / seconds : 0 }
    }

    /// Runs `operation(slot, sequence)` at the rate; `prepare(slot)` runs in a slot before it
    /// takes the next due time, for untimed set-up (making the commit a push sends).
    func run(prepare: @escaping @Sendable (Int) throws -> Void = { _ in }, operation: @escaping @Sendable (Int, Int) throws -> Void)
        async -> Result {
        struct Shared {
            var next = 0
            var result = Result()
            var lastEnd: ContinuousClock.Instant?
        }
        let shared = Mutex(Shared())
        let clock = ContinuousClock()
        let start = clock.now
        let recordFrom = start + .nanoseconds(Int64(warmup * 1e9))
        let stopAt = recordFrom + .nanoseconds(Int64(duration * 1e9))
        let interval = 1 / max(rate, 0.001)
        let slots = max(1, concurrency)
        let remaining = Mutex(slots)
        await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
            for slot in 0..<slots {
                let thread = Thread {
                    while true {
                        var prepareError: String?
                        do { try prepare(slot) } catch { prepareError = "\(error)" }
                        let sequence = shared.withLock { state in
                            defer { state.next += 1 }
                            return state.next
                        }
                        let due = start + .nanoseconds(Int64(Double(sequence) * interval * 1e9))
                        guard due < stopAt, clock.now < stopAt else { break }
                        if due > clock.now { Thread.sleep(forTimeInterval: Double((due - clock.now).nanoseconds) / 1e9) }
                        let began = clock.now
                        var failure = prepareError
                        if failure == nil {
                            do { try operation(slot, sequence) } catch { failure = "\(error)" }
                        }
                        let ended = clock.now
                        guard due >= recordFrom else { continue }
                        shared.withLock { state in
                            if let failure {
                                state.result.errors += 1
                                if state.result.firstError == nil { state.result.firstError = failure }
                            } else {
                                state.result.completed += 1
                                state.result.latency.record(UInt64(max(0, (ended - due).nanoseconds)))
                                state.result.service.record(UInt64(max(0, (ended - began).nanoseconds)))
                            }
                            if began - due > .milliseconds(10) { state.result.late += 1 }
                            state.lastEnd = max(state.lastEnd ?? ended, ended)
                        }
                    }
                    let last = remaining.withLock { count in
                        count -= 1
                        return count == 0
                    }
                    if last { finished.resume() }
                }
                thread.name = "bench-open-loop-\(slot)"
                thread.start()
            }
        }
        return shared.withLock { state in
            var result = state.result
            result.seconds = max(duration, state.lastEnd.map { Double(($0 - recordFrom).nanoseconds) / 1e9 } ?? 0)
            let firstRecorded = (warmup * rate).rounded(.up)
            let due = Int(((warmup + duration) * rate).rounded(.up) - firstRecorded)
            result.missed = max(0, due - result.completed - result.errors)
            return result
        }
    }
}

extension Duration {
    /// This duration in whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let parts = components
        let (scaled, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return parts.seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(parts.attoseconds / 1_000_000_000).overflow ? .max : scaled + parts.attoseconds / 1_000_000_000
    }
}

extension OpenLoopDriver.Result {
    /// Percentiles in seconds from the due time (`p50`...`max`), the service time's p99, the
    /// achieved rate, errors and late starts of repeated runs, as medians; names start with `prefix`.
    static func metrics(prefix: String, _ results: [OpenLoopDriver.Result]) -> [Metric] {
        var metrics: [Metric] = []
        for (label, percentile) in [("p50", 50.0), ("p90", 90), ("p95", 95), ("p99", 99), ("max", 100)] {
            metrics.append(Metric(
                "\(prefix).\(label)", samples: results.map { Double($0.latency.value(atPercentile: percentile)) / 1e9 }, unit: "s",
                direction: label == "max" ? .informational : .lowerIsBetter))
        }
        metrics.append(Metric(
            "\(prefix).service.p99", samples: results.map { Double($0.service.value(atPercentile: 99)) / 1e9 }, unit: "s",
            direction: .informational))
        metrics.append(Metric("\(prefix).throughput", samples: results.map(\.perSecond), unit: "ops/s", direction: .higherIsBetter))
        metrics.append(Metric("\(prefix).errors", samples: results.map { Double($0.errors) }, unit: "count", direction: .informational))
        metrics.append(Metric("\(prefix).late", samples: results.map { Double($0.late) }, unit: "count", direction: .informational))
        metrics.append(Metric("\(prefix).missed", samples: results.map { Double($0.missed) }, unit: "count", direction: .lowerIsBetter))
        return metrics
    }

    /// The due-time latency curve of all `results` together, in seconds.
    static func curve(_ name: String, _ results: [OpenLoopDriver.Result]) -> LatencyCurve {
        var merged = LatencyHistogram()
        for result in results { merged.merge(result.latency) }
        return LatencyCurve(name: name, histogram: merged, unit: "s")
    }
}
