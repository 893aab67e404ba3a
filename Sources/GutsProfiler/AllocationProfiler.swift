import CAllocSampler
import Foundation
import Glibc

/// Sampled allocation stacks of the whole process: where memory is allocated, and where
/// the memory still in use was allocated.
///
/// The `CAllocSampler` target interposes `malloc`, `free`, `calloc`, `realloc` and the
/// aligned allocators, forwarding each to glibc. While no session is open the wrappers
/// only forward. During a session every thread counts allocated bytes down from an
/// exponentially distributed interval of mean `sampleInterval`; the allocation that
/// crosses zero is recorded with its stack into a fixed append-only log and a lock-free
/// live table keyed by pointer, and a later `free` of that pointer marks the record
/// freed (see `CAllocSampler.c` for why this is safe under every allocation). Each record stands for
/// `size / (1 - exp(-size / sampleInterval))` bytes, the unbiased estimate for this
/// sampling scheme (about `sampleInterval` for small allocations, `size` for huge ones).
///
/// `stop()` returns two profiles whose counts are bytes, rendered by every
/// `ProfileFormat`: allocated bytes (all records) and in-use bytes (records not freed).
/// One session per process at a time.
public enum AllocationProfiler {
    /// One sample per 512 KiB allocated, on average.
    public static let defaultSampleInterval = 512 * 1024

    /// Both profiles of a session with its statistics.
    public struct Result: Sendable {
        /// Estimated bytes allocated during the session, by allocating stack.
        public var allocated: Profile
        /// Estimated bytes allocated during the session and not freed before it stopped.
        public var inUse: Profile
        public var statistics: AllocationStatistics
    }

    /// Whether this process's `malloc` is the sampler's (true in `guts` and the tests).
    public static var isAvailable: Bool { guts_alloc_sampler_is_interposed() != 0 }

    /// Whether a session is open.
    public static var isRunning: Bool { session.withLock { $0 != nil } }

    /// Starts sampling every allocation of the process.
    public static func start(sampleInterval: Int = defaultSampleInterval) throws(ProfilerError) {
        guard (1...(1 << 30)).contains(sampleInterval) else { throw .invalidSampleInterval(sampleInterval) }
        guard isAvailable else { throw .allocationSamplerUnavailable }
        try session.withLock { (current: inout Session?) throws(ProfilerError) in
            guard current == nil else { throw .allocationProfileRunning }
            switch guts_alloc_sampler_start(sampleInterval) {
            case 0: break
            case -1: throw .allocationProfileRunning
            default: throw .system(call: "mmap", errno: errno)
            }
            current = Session(sampleInterval: sampleInterval, startMonotonic: CPUProfiler.monotonicNanos(),
                              startWall: CPUProfiler.wallNanos())
        }
    }

    /// Stops sampling and returns the unsymbolized allocated and in-use stacks.
    public static func stopRaw() throws(ProfilerError) -> (allocated: RawCPUProfile, inUse: RawCPUProfile, statistics: AllocationStatistics) {
        try session.withLock { (current: inout Session?) throws(ProfilerError) in
            guard let active = current else { throw .noAllocationProfile }
            current = nil
            // Waits for threads still writing a record; the log stays mapped and is only
            // cleared by the next start, which this lock keeps out while we read.
            guts_alloc_sampler_stop()
            let duration = Int(CPUProfiler.monotonicNanos() - active.startMonotonic)
            var allocated: [RawCPUProfile.StackKey: Int] = [:]
            var inUse: [RawCPUProfile.StackKey: Int] = [:]
            var statistics = AllocationStatistics(sampleInterval: active.sampleInterval, durationNanos: duration)
            if let table = guts_alloc_sampler_table() {
                let interval = Double(active.sampleInterval)
                for index in 0..<guts_alloc_sampler_count() {
                    let state = guts_alloc_sampler_load_state(table + index)
                    // LIVE, FREED, or untracked (allocated, never matched by a free).
                    guard state != UInt(GUTS_ALLOC_RECORD_WRITING), state != UInt(GUTS_ALLOC_RECORD_RECYCLED) else { continue }
                    var entry = table[index]
                    let depth = Int(max(0, min(entry.depth, GUTS_ALLOC_MAX_DEPTH)))
                    let addresses = withUnsafeBytes(of: &entry.frames) { Array($0.bindMemory(to: UInt.self).prefix(depth)) }
                    let size = Double(entry.size)
                    let weight = size > 0 ? Int((size / -expm1(-size / interval)).rounded()) : active.sampleInterval
                    let stack = RawCPUProfile.StackKey(thread: entry.thread, addresses: addresses)
                    allocated[stack, default: 0] += weight
                    statistics.allocatedBytes += weight
                    if state == UInt(GUTS_ALLOC_RECORD_LIVE) {
                        inUse[stack, default: 0] += weight
                        statistics.inUseBytes += weight
                        statistics.inUseSamples += 1
                    }
                }
            }
            let counters = guts_alloc_sampler_counters()
            statistics.samples = counters.samples
            statistics.droppedFull = counters.dropped_full
            statistics.sampledFrees = counters.sampled_frees
            let cpuStatistics = SamplerStatistics(samples: counters.samples, droppedFull: counters.dropped_full,
                                                  durationNanos: duration)
            return (RawCPUProfile(stacks: allocated, statistics: cpuStatistics, startNanos: active.startWall),
                    RawCPUProfile(stacks: inUse, statistics: cpuStatistics, startNanos: active.startWall),
                    statistics)
        }
    }

    /// Stops sampling and returns the symbolized allocated-bytes and in-use-bytes profiles.
    public static func stop(options: Symbolizer.Options = Symbolizer.Options()) throws(ProfilerError) -> (allocated: Profile, inUse: Profile) {
        let result = try stopWithStatistics(options: options)
        return (result.allocated, result.inUse)
    }

    /// `stop()` with the session's statistics.
    public static func stopWithStatistics(options: Symbolizer.Options = Symbolizer.Options()) throws(ProfilerError) -> Result {
        let raw = try stopRaw()
        let modules = ModuleMap.current()
        let symbolizer = Symbolizer(options: options)
        return Result(allocated: finish(symbolizer.symbolize(raw.allocated, modules: modules)),
                      inUse: finish(symbolizer.symbolize(raw.inUse, modules: modules)),
                      statistics: raw.statistics)
    }

    /// Records allocations while `body` runs.
    public static func profile<T>(sampleInterval: Int = defaultSampleInterval, options: Symbolizer.Options = Symbolizer.Options(),
                                  _ body: () throws -> T) throws -> (T, Result) {
        try start(sampleInterval: sampleInterval)
        let value: T
        do {
            value = try body()
        } catch {
            _ = try? stopRaw()
            throw error
        }
        return (value, try stopWithStatistics(options: options))
    }

    /// Estimated allocations and bytes one record stands for.
    struct Weight: Sendable, Equatable {
        var objects: Double = 0
        var bytes: Double = 0

        static func += (total: inout Weight, other: Weight) {
            total.objects += other.objects
            total.bytes += other.bytes
        }
    }

    /// A record of `size` bytes, sampled with probability `1 - exp(-size / interval)`,
    /// stands for `1 / p` allocations of `size / p` bytes.
    static func weight(size: UInt64, sampleInterval: Int) -> Weight {
        let size = Double(size)
        guard size > 0 else { return Weight(objects: 1, bytes: 0) }
        let probability = -expm1(-size / Double(sampleInterval))
        return Weight(objects: 1 / probability, bytes: size / probability)
    }

    /// Reads the open session without stopping it: records freed (or untracked) since
    /// the last harvest are added to `released` and recycled, so a session can run for
    /// the life of the process; records still live are returned. Stacks are keyed
    /// without their thread. Nil when no session is open.
    static func harvest(into released: inout [RawCPUProfile.StackKey: Weight]) -> (live: [RawCPUProfile.StackKey: Weight], sampleInterval: Int)? {
        session.withLock { (current: inout Session?) -> (live: [RawCPUProfile.StackKey: Weight], sampleInterval: Int)? in
            guard let active = current, let table = guts_alloc_sampler_table() else { return nil }
            var live: [RawCPUProfile.StackKey: Weight] = [:]
            for index in 0..<guts_alloc_sampler_count() {
                let state = guts_alloc_sampler_load_state(table + index)
                let isLive = state == UInt(GUTS_ALLOC_RECORD_LIVE)
                guard isLive || state == UInt(GUTS_ALLOC_RECORD_FREED) || state == UInt(GUTS_ALLOC_RECORD_UNTRACKED) else { continue }
                var entry = table[index]
                let depth = Int(max(0, min(entry.depth, GUTS_ALLOC_MAX_DEPTH)))
                let addresses = withUnsafeBytes(of: &entry.frames) { Array($0.bindMemory(to: UInt.self).prefix(depth)) }
                let stack = RawCPUProfile.StackKey(thread: 0, addresses: addresses)
                let weight = weight(size: entry.size, sampleInterval: active.sampleInterval)
                if isLive {
                    live[stack, default: Weight()] += weight
                } else if guts_alloc_sampler_recycle(index) == 0 {
                    released[stack, default: Weight()] += weight
                }
            }
            _ = guts_alloc_sampler_sweep_tombstones()
            return (live, active.sampleInterval)
        }
    }

    // MARK: - Internals

    private struct Session: Sendable {
        var sampleInterval: Int
        var startMonotonic: Int64
        var startWall: Int64
    }

    private static let session = LockedValue<Session?>(nil)

    /// Frames of the sampler itself (the recording function, libunwind), dropped from
    /// the leaf end of every stack; the interposed `malloc`/`calloc`/... stays the leaf.
    static func isSamplerFrame(_ frame: Profile.Frame) -> Bool {
        let name = frame.systemName.isEmpty ? frame.name : frame.systemName
        return name == "record_sample" || name.hasPrefix("unw_") || name.hasPrefix("_ULx86_64") || name.hasPrefix("_Ux86_64")
            || name.hasPrefix("_ULaarch64") || name.hasPrefix("_Uaarch64") || frame.module.hasPrefix("libunwind")
    }

    /// Drops sampler frames, re-merges stacks that became equal, and marks the values as bytes.
    static func finish(_ profile: Profile) -> Profile {
        var merged: [[Profile.Frame]: Int] = [:]
        var order: [[Profile.Frame]] = []
        var threads: [[Profile.Frame]: Int32] = [:]
        for sample in profile.samples {
            var frames = sample.frames
            while let last = frames.last, isSamplerFrame(last) { frames.removeLast() }
            if merged[frames] == nil {
                order.append(frames)
                threads[frames] = sample.thread
            } else if threads[frames] != sample.thread {
                threads[frames] = 0
            }
            merged[frames, default: 0] += sample.count
        }
        var result = profile
        result.samples = order.map { Profile.Sample(frames: $0, count: merged[$0]!, thread: threads[$0] ?? 0) }
        result.periodNanos = 0
        result.statistics = nil
        result.valueUnit = .bytes
        return result
    }
}

/// What the allocation sampler did in one session.
public struct AllocationStatistics: Sendable, Codable, Equatable {
    /// Mean bytes between samples.
    public var sampleInterval: Int
    /// Allocations recorded.
    public var samples = 0
    /// Samples lost because the log was full, or not tracked for `free` because the live
    /// table had no slot near the pointer's hash (those count as allocated only).
    public var droppedFull = 0
    /// Recorded allocations freed before the session stopped.
    public var sampledFrees = 0
    /// Recorded allocations still in use at stop.
    public var inUseSamples = 0
    /// Estimated bytes allocated, and still in use, during the session.
    public var allocatedBytes = 0
    public var inUseBytes = 0
    public var durationNanos = 0

    public init(sampleInterval: Int, durationNanos: Int = 0) {
        self.sampleInterval = sampleInterval
        self.durationNanos = durationNanos
    }

    /// One line for reports.
    public var summary: String {
        "\(samples) allocation samples (1 per \(sampleInterval) bytes), \(droppedFull) dropped (log or table full); "
            + "~\(allocatedBytes / 1024) KiB allocated, ~\(inUseBytes / 1024) KiB still in use over "
            + String(format: "%.2f", Double(durationNanos) / 1e9) + " s"
    }
}
