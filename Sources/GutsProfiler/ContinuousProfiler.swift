import Foundation
import Glibc

/// Always-on, low-rate CPU sampling into a bounded ring of time buckets.
///
/// Owns the process-wide `CPUProfiler` session while running. A background thread
/// harvests the sampler every `bucketSeconds` into a bucket; buckets older than
/// `retentionSeconds` are evicted. Stacks are interned in one table shared by all
/// buckets and reference-counted, so memory is bounded by the distinct stacks in the
/// retained window, and hard-capped at `maxStacks` (further new stacks are counted in
/// `overflowSamples`, never silently lost).
///
/// `profile(since:)` dumps the buckets covering a window; `record(seconds:)` serves
/// an on-demand request from the ring while it keeps running, so the two never fight
/// over the sampler.
///
/// The same thread reads process memory (`MemorySampler.read`: mallinfo2 and RSS, plus
/// the embedder's gauges, such as RocksDB's) every `memoryIntervalSeconds` into a ring
/// with the same retention, dumped by `memoryTimeline(since:)`.
public final class ContinuousProfiler: Sendable {
    /// The continuous default: 19 Hz, low and odd so it neither costs much nor locks
    /// onto periodic work.
    public static let defaultRate = 19

    public let rate: Int
    public let bucketSeconds: Double
    public let retentionSeconds: Double
    public let maxStacks: Int
    public let memoryIntervalSeconds: Double
    private let memoryGauges: (@Sendable () -> [String: Int])?

    private let state: LockedValue<State>
    private let stopped = DispatchSemaphore(value: 0)
    private let wake = DispatchSemaphore(value: 0)

    /// One harvested interval: stack ids with counts.
    struct Bucket: Sendable {
        var startNanos: Int64
        var endNanos: Int64
        var counts: [Int: Int]
        var statistics: SamplerStatistics
    }

    struct State: Sendable {
        var buckets: [Bucket] = []
        var stackIDs: [RawCPUProfile.StackKey: Int] = [:]
        var stacks: [Int: (key: RawCPUProfile.StackKey, references: Int)] = [:]
        var nextID = 0
        var overflowSamples = 0
        var running = false
        /// Memory readings with their wall-clock time, oldest first.
        var memory: [(wallNanos: Int64, point: MemoryTimeline.Point)] = []
    }

    /// What the ring holds now, for logs and metrics.
    public struct Status: Sendable, Codable, Equatable {
        public var rate: Int
        public var buckets: Int
        public var distinctStacks: Int
        public var overflowSamples: Int
        /// Wall-clock start of the oldest bucket, nanoseconds since the Unix epoch.
        public var oldestNanos: Int64?
    }

    /// - Parameter memoryGauges: extra byte counts read with each memory point, as `MemorySampler`'s.
    public init(rate: Int = defaultRate, bucketSeconds: Double = 10, retentionSeconds: Double = 3600, maxStacks: Int = 50_000,
                memoryIntervalSeconds: Double = 1, memoryGauges: (@Sendable () -> [String: Int])? = nil) {
        self.rate = rate
        self.bucketSeconds = max(0.05, bucketSeconds)
        self.retentionSeconds = max(self.bucketSeconds, retentionSeconds)
        self.maxStacks = max(16, maxStacks)
        self.memoryIntervalSeconds = max(0.05, memoryIntervalSeconds)
        self.memoryGauges = memoryGauges
        state = LockedValue(State())
    }

    /// Starts the sampler and the harvesting thread.
    ///
    /// - Throws: `ProfilerError.alreadyRunning` when another session holds the sampler.
    public func start() throws(ProfilerError) {
        try CPUProfiler.start(rate: rate, ringCapacity: max(256, rate * 4))
        state.withLock { $0.running = true }
        let thread = Thread { [self] in
            // Sleeps until the next reading or bucket is due, or until stop() signals.
            var nextMemory = CPUProfiler.monotonicNanos()
            var nextBucket = nextMemory + Int64(bucketSeconds * 1e9)
            while true {
                let now = CPUProfiler.monotonicNanos()
                if now >= nextMemory {
                    recordMemory()
                    nextMemory = max(nextMemory + Int64(memoryIntervalSeconds * 1e9), now)
                }
                if now >= nextBucket {
                    flush()
                    nextBucket = now + Int64(bucketSeconds * 1e9)
                }
                let pause = max(0, min(nextMemory, nextBucket) - CPUProfiler.monotonicNanos())
                if wake.wait(timeout: .now() + .nanoseconds(Int(pause))) == .success { break }
            }
            stopped.signal()
        }
        thread.name = "guts-profiler-continuous"
        thread.start()
    }

    /// Stops sampling; the ring stays readable.
    public func stop() {
        let wasRunning = state.withLock { state -> Bool in
            let running = state.running
            state.running = false
            return running
        }
        guard wasRunning else { return }
        wake.signal()
        stopped.wait()
        if let raw = try? CPUProfiler.stopRaw() { store(raw) }
    }

    public var isRunning: Bool { state.withLock { $0.running } }

    /// Closes the current bucket now (so a window can start or end exactly here).
    public func flush() {
        guard let raw = try? CPUProfiler.harvestRaw() else { return }
        store(raw)
    }

    /// The symbolized profile of the buckets that end after `now - seconds`.
    public func profile(since seconds: Double, options: Symbolizer.Options = Symbolizer.Options()) -> Profile {
        flush()
        let from = CPUProfiler.wallNanos() - Int64(seconds * 1e9)
        return Symbolizer(options: options).symbolize(raw(from: from))
    }

    /// Closes the current bucket and returns the wall-clock time (nanoseconds since the
    /// epoch) a window starting now begins at; pass it to `profile(fromWallNanos:)` later
    /// to get exactly what was sampled in between.
    public func beginWindow() -> Int64 {
        flush()
        return CPUProfiler.wallNanos()
    }

    /// The symbolized profile of everything sampled since `beginWindow()` returned `start`.
    public func profile(fromWallNanos start: Int64, options: Symbolizer.Options = Symbolizer.Options()) -> Profile {
        flush()
        return Symbolizer(options: options).symbolize(raw(from: start))
    }

    /// The memory readings of the last `seconds`, `seconds` of each point counted from
    /// the first one (whose wall-clock time is the timeline's `startNanos`).
    public func memoryTimeline(since seconds: Double) -> MemoryTimeline {
        let from = CPUProfiler.wallNanos() - Int64(seconds * 1e9)
        let readings = state.withLock { $0.memory.filter { $0.wallNanos >= from } }
        let origin = readings.first?.wallNanos ?? from
        var timeline = MemoryTimeline(intervalSeconds: memoryIntervalSeconds, points: readings.map { reading in
            var point = reading.point
            point.seconds = Double(reading.wallNanos - origin) / 1e9
            return point
        })
        timeline.startNanos = origin
        return timeline
    }

    private func recordMemory() {
        var point = MemorySampler.read()
        if let memoryGauges { point.gauges = memoryGauges() }
        let now = CPUProfiler.wallNanos()
        let horizon = now - Int64(retentionSeconds * 1e9)
        state.withLock { state in
            state.memory.append((now, point))
            let expired = state.memory.prefix { $0.wallNanos < horizon }.count
            if expired > 0 { state.memory.removeFirst(expired) }
        }
    }

    public var status: Status {
        state.withLock { state in
            Status(rate: rate, buckets: state.buckets.count, distinctStacks: state.stacks.count,
                   overflowSamples: state.overflowSamples, oldestNanos: state.buckets.first?.startNanos)
        }
    }

    /// Merges the buckets whose interval ends after `from` (wall nanoseconds).
    func raw(from: Int64) -> RawCPUProfile {
        state.withLock { state in
            var stacks: [RawCPUProfile.StackKey: Int] = [:]
            var statistics = SamplerStatistics(rate: rate)
            var start: Int64?
            for bucket in state.buckets where bucket.endNanos > from {
                start = start ?? bucket.startNanos
                statistics.accumulate(bucket.statistics)
                for (id, count) in bucket.counts {
                    if let entry = state.stacks[id] { stacks[entry.key, default: 0] += count }
                }
            }
            return RawCPUProfile(stacks: stacks, statistics: statistics,
                                 periodNanos: Int64(1_000_000_000 / rate), startNanos: start ?? from)
        }
    }

    private func store(_ raw: RawCPUProfile) {
        let end = CPUProfiler.wallNanos()
        let horizon = end - Int64(retentionSeconds * 1e9)
        let maxBuckets = Int((retentionSeconds / bucketSeconds).rounded(.up)) * 2 + 64
        state.withLock { state in
            var counts: [Int: Int] = [:]
            for (key, count) in raw.stacks {
                let id: Int
                if let known = state.stackIDs[key] {
                    id = known
                } else if state.stacks.count < maxStacks {
                    id = state.nextID
                    state.nextID += 1
                    state.stackIDs[key] = id
                    state.stacks[id] = (key, 0)
                } else {
                    state.overflowSamples += count
                    continue
                }
                if counts[id] == nil { state.stacks[id]!.references += 1 }
                counts[id, default: 0] += count
            }
            state.buckets.append(Bucket(startNanos: raw.startNanos, endNanos: end, counts: counts, statistics: raw.statistics))
            while let oldest = state.buckets.first, oldest.endNanos < horizon || state.buckets.count > maxBuckets {
                state.buckets.removeFirst()
                for id in oldest.counts.keys {
                    guard var entry = state.stacks[id] else { continue }
                    entry.references -= 1
                    if entry.references == 0 {
                        state.stacks[id] = nil
                        state.stackIDs[entry.key] = nil
                    } else {
                        state.stacks[id] = entry
                    }
                }
            }
        }
    }
}
