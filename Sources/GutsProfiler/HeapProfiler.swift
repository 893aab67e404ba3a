import CAllocSampler
import Foundation
import Glibc

/// The sampled heap of a long-running process: memory in use now, and everything
/// allocated since `start()`, by allocating stack (Go's and jemalloc's heap profile).
///
/// Holds the process-wide `AllocationProfiler` session for its whole life. A background
/// thread harvests the sampler every `harvestSeconds`: records freed since the last
/// harvest are folded into cumulative per-stack totals and recycled, so the fixed log
/// never fills however long the process runs; records still live stay where they are.
/// `snapshot()` harvests once more and returns pprof's four heap sample types.
public final class HeapProfiler: Sendable {
    /// The four columns of a heap profile, in pprof's order (`inuse_space` last, the default).
    public static let sampleTypes = [
        Profile.SampleType(type: "alloc_objects", unit: "count"),
        Profile.SampleType(type: "alloc_space", unit: "bytes"),
        Profile.SampleType(type: "inuse_objects", unit: "count"),
        Profile.SampleType(type: "inuse_space", unit: "bytes"),
    ]

    public let sampleInterval: Int
    public let harvestSeconds: Double
    /// Distinct stacks kept in the cumulative totals; freed samples of further new stacks
    /// are counted in `Statistics.overflowBytes`.
    public let maxStacks: Int

    private let state = LockedValue(State())
    private let stopped = DispatchSemaphore(value: 0)
    private let wake = DispatchSemaphore(value: 0)

    private struct State: Sendable {
        var released: [RawCPUProfile.StackKey: AllocationProfiler.Weight] = [:]
        var overflowBytes = 0.0
        var startWallNanos: Int64 = 0
        var startMonotonicNanos: Int64 = 0
        var running = false
    }

    /// What a snapshot holds, for the `x-heap-statistics` header and the CLI's summary.
    public struct Statistics: Sendable, Codable, Equatable {
        public var sampleInterval: Int
        /// Estimated bytes and allocations in use at the snapshot.
        public var inUseBytes: Int
        public var inUseObjects: Int
        /// Estimated bytes allocated since the profiler started.
        public var allocatedBytes: Int
        /// Distinct stacks in the snapshot.
        public var stacks: Int
        /// Sampled bytes of freed allocations not kept because `maxStacks` was reached.
        public var overflowBytes: Int
        /// Samples lost because the log or the live table was full.
        public var droppedSamples: Int
        public var durationNanos: Int

        public var summary: String {
            "heap: ~\(inUseBytes / 1024) KiB in use in ~\(inUseObjects) allocations, ~\(allocatedBytes / 1024) KiB allocated over "
                + String(format: "%.0f", Double(durationNanos) / 1e9) + " s, \(stacks) stacks (1 sample per \(sampleInterval) bytes, "
                + "\(droppedSamples) dropped)"
        }
    }

    public init(sampleInterval: Int = AllocationProfiler.defaultSampleInterval, harvestSeconds: Double = 1, maxStacks: Int = 50_000) {
        self.sampleInterval = sampleInterval
        self.harvestSeconds = max(0.05, harvestSeconds)
        self.maxStacks = max(16, maxStacks)
    }

    /// Opens the allocation session and starts the harvesting thread.
    ///
    /// - Throws: what `AllocationProfiler.start` throws (another session is open, malloc
    ///   is not interposed, a bad interval).
    public func start() throws(ProfilerError) {
        try AllocationProfiler.start(sampleInterval: sampleInterval)
        state.withLock { state in
            state = State()
            state.running = true
            state.startWallNanos = CPUProfiler.wallNanos()
            state.startMonotonicNanos = CPUProfiler.monotonicNanos()
        }
        let thread = Thread { [self] in
            while wake.wait(timeout: .now() + .nanoseconds(Int(harvestSeconds * 1e9))) == .timedOut {
                _ = harvest()
            }
            stopped.signal()
        }
        thread.name = "guts-heap-profiler"
        thread.start()
    }

    /// Stops the thread and closes the allocation session.
    public func stop() {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.running = false }
            return state.running
        }
        guard wasRunning else { return }
        wake.signal()
        stopped.wait()
        _ = try? AllocationProfiler.stopRaw()
    }

    public var isRunning: Bool { state.withLock { $0.running } }

    /// The heap now: every sampled stack with its estimated allocations and bytes,
    /// allocated since `start()` and in use now, as `Profile.sampleTypes` columns
    /// (`count` is `inuse_space`). Symbolized against the modules loaded now.
    public func snapshot(options: Symbolizer.Options = Symbolizer.Options()) throws(ProfilerError) -> (profile: Profile, statistics: Statistics) {
        guard let (live, released, overflow, startWall, duration) = harvest() else { throw .noAllocationProfile }
        var columns: [RawCPUProfile.StackKey: [Double]] = [:]
        for (stack, weight) in released { columns[stack] = [weight.objects, weight.bytes, 0, 0] }
        for (stack, weight) in live {
            var values = columns[stack] ?? [0, 0, 0, 0]
            values[0] += weight.objects
            values[1] += weight.bytes
            values[2] += weight.objects
            values[3] += weight.bytes
            columns[stack] = values
        }
        let entries = Array(columns)
        let (stacks, mappings) = Symbolizer(options: Symbolizer.Options(simplifyNames: options.simplifyNames))
            .frames(of: entries.map(\.key), modules: ModuleMap.current())
        var merged: [[Profile.Frame]: [Double]] = [:]
        var order: [[Profile.Frame]] = []
        for ((_, values), symbolized) in zip(entries, stacks) {
            var frames = symbolized
            while let last = frames.last, AllocationProfiler.isSamplerFrame(last) { frames.removeLast() }
            if let existing = merged[frames] {
                merged[frames] = zip(existing, values).map { $0 + $1 }
            } else {
                merged[frames] = values
                order.append(frames)
            }
        }
        let samples = order.map { frames in
            let values = (merged[frames] ?? []).map { Int($0.rounded()) }
            var sample = Profile.Sample(frames: frames, count: values.last ?? 0)
            sample.values = values
            return sample
        }
        var profile = Profile(samples: samples, durationNanos: duration, startNanos: startWall, mappings: mappings)
        profile.sampleTypes = Self.sampleTypes
        profile.valueUnit = .bytes
        let statistics = Statistics(
            sampleInterval: sampleInterval,
            inUseBytes: samples.reduce(0) { $0 + $1.values[3] }, inUseObjects: samples.reduce(0) { $0 + $1.values[2] },
            allocatedBytes: samples.reduce(0) { $0 + $1.values[1] }, stacks: samples.count,
            overflowBytes: Int(overflow.rounded()), droppedSamples: guts_alloc_sampler_counters().dropped_full, durationNanos: Int(duration))
        return (profile, statistics)
    }

    /// Folds freed records into the totals; returns the live ones with the totals.
    func harvest() -> (live: [RawCPUProfile.StackKey: AllocationProfiler.Weight],
                               released: [RawCPUProfile.StackKey: AllocationProfiler.Weight],
                               overflow: Double, startWall: Int64, duration: Int64)? {
        state.withLock { state in
            guard state.running else { return nil }
            var fresh: [RawCPUProfile.StackKey: AllocationProfiler.Weight] = [:]
            guard let (live, _) = AllocationProfiler.harvest(into: &fresh) else { return nil }
            for (stack, weight) in fresh {
                if state.released[stack] != nil || state.released.count < maxStacks {
                    state.released[stack, default: AllocationProfiler.Weight()] += weight
                } else {
                    state.overflowBytes += weight.bytes
                }
            }
            return (live, state.released, state.overflowBytes, state.startWallNanos,
                    CPUProfiler.monotonicNanos() - state.startMonotonicNanos)
        }
    }
}
