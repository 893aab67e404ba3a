import CUnwind
import Foundation
import Glibc

/// The process-wide CPU sampler.
///
/// `SIGPROF` and `ITIMER_PROF` are per process, so there is one sampler per process:
/// `start` fails with `.alreadyRunning` while a session is open. A node can call
/// `CPUProfiler.start(rate:)` from an admin endpoint, later `stop()`, and render the
/// returned `Profile` with `FoldedStacks`, `FlameGraphSVG`, `SpeedscopeEncoder` or
/// `PprofEncoder`.
public enum CPUProfiler {
    /// Default rate: 99 Hz, odd so it does not lock onto periodic work.
    public static let defaultRate = 99

    /// What a sample stands for.
    public enum Mode: String, Sendable, CaseIterable, Codable {
        /// `1/rate` s of process CPU time (`ITIMER_PROF`): only running threads are sampled.
        case cpu
        /// `1/rate` s of wall-clock time of every thread, running or blocked (`WallClockTicker`).
        case wall
    }

    /// Whether a session is open.
    public static var isRunning: Bool { session.withLock { $0 != nil } }

    /// Starts sampling the whole process at `rate` Hz of process CPU time (`.cpu`) or of wall
    /// time on every thread (`.wall`).
    ///
    /// - Parameters:
    ///   - maxDepth: frames kept per stack (deeper stacks are truncated at the root end).
    ///   - ringCapacity: stacks buffered between the handler and the reader thread.
    public static func start(rate: Int = defaultRate, mode: Mode = .cpu, maxDepth: Int = 128, ringCapacity: Int = 4096) throws(ProfilerError) {
        guard (1...10_000).contains(rate) else { throw .invalidRate(rate) }
        let depth = max(4, min(maxDepth, 1024))
        let capacity = max(16, ringCapacity)
        try session.withLock { (current: inout Session?) throws(ProfilerError) in
            guard current == nil else { throw .alreadyRunning }
            try SignalSampler.install()
            let status = guts_unw_configure_for_sampling(4096)
            guard status == 0 else { throw .unwinderSetup(code: status) }
            warmUpUnwinder()
            SamplerState.setExcludedRanges(ModuleMap.current().loaderAndUnwinderTextRanges())

            let slotWords = SamplerState.slotHeaderWords + depth
            let ring = UnsafeMutablePointer<Int>.allocate(capacity: capacity * slotWords)
            ring.initialize(repeating: 0, count: capacity * slotWords)
            for word in [SamplerState.Word.writeIndex, .readIndex, .samples, .droppedFull, .droppedBusy,
                         .droppedLoader, .unwindFailures, .handlerNanos] {
                SamplerState.store(word, 0)
            }
            SamplerState.store(.ringBase, Int(bitPattern: UInt(bitPattern: ring)))
            SamplerState.store(.ringCapacity, capacity)
            SamplerState.store(.slotWords, slotWords)
            SamplerState.store(.maxDepth, depth)

            // ITIMER_PROF fires `rate` times per second of CPU time, on any core; wall mode
            // samples every thread each tick (bounded by the ring's drops, not here).
            let perSecond = mode == .cpu ? rate * ProcessInfo.processInfo.activeProcessorCount : rate * 1000
            let reader = RingReader(ring: ring, capacity: capacity, slotWords: slotWords, samplesPerSecond: perSecond)
            reader.start()
            let signalsBefore = SamplerState.load(.signals)
            SamplerState.store(.enabled, 1)
            var ticker: WallClockTicker?
            do throws(ProfilerError) {
                switch mode {
                case .cpu: try SignalSampler.armTimer(rate: rate)
                case .wall:
                    ticker = WallClockTicker(rate: rate)
                    ticker?.start()
                }
            } catch {
                SamplerState.store(.enabled, 0)
                _ = reader.stop()
                ring.deallocate()
                throw error
            }
            var origin = Counters()
            origin.signals = signalsBefore
            current = Session(rate: rate, ring: ring, reader: reader, ticker: ticker, lastHarvest: origin,
                              lastHarvestMonotonic: monotonicNanos(), lastHarvestWall: wallNanos())
        }
    }

    /// Stops sampling and returns the unsymbolized stacks not yet returned by
    /// `harvestRaw()`, with statistics since the last harvest (or the start).
    public static func stopRaw() throws(ProfilerError) -> RawCPUProfile {
        try session.withLock { (current: inout Session?) throws(ProfilerError) -> RawCPUProfile in
            guard let active = current else { throw .notRunning }
            current = nil
            SignalSampler.disarmTimer()
            active.ticker?.stop()
            SamplerState.store(.enabled, 0)
            // A handler that took `busy` before `enabled` was cleared may still be
            // writing into the ring; one that takes it later sees `enabled == 0`.
            while SamplerState.load(.busy) != 0 { usleep(100) }
            let stacks = active.reader.stop()
            let now = monotonicNanos()
            let statistics = Counters.now().statistics(since: active.lastHarvest, rate: active.rate,
                                                       durationNanos: Int(now - active.lastHarvestMonotonic))
            SamplerState.store(.ringBase, 0)
            SamplerState.store(.ringCapacity, 0)
            active.ring.deallocate()
            return RawCPUProfile(stacks: stacks, statistics: statistics,
                                 periodNanos: Int64(1_000_000_000 / active.rate), startNanos: active.lastHarvestWall,
                                 threadNames: active.ticker?.threadNames ?? [:], mode: active.ticker == nil ? .cpu : .wall)
        }
    }

    /// Returns the stacks recorded since the previous harvest (or the start) without
    /// stopping, with statistics for that interval. `ContinuousProfiler` calls this once
    /// per time bucket.
    public static func harvestRaw() throws(ProfilerError) -> RawCPUProfile {
        try session.withLock { (current: inout Session?) throws(ProfilerError) -> RawCPUProfile in
            guard var active = current else { throw .notRunning }
            let stacks = active.reader.take()
            let counters = Counters.now()
            let now = monotonicNanos(), wall = wallNanos()
            let statistics = counters.statistics(since: active.lastHarvest, rate: active.rate,
                                                 durationNanos: Int(now - active.lastHarvestMonotonic))
            let raw = RawCPUProfile(stacks: stacks, statistics: statistics,
                                    periodNanos: Int64(1_000_000_000 / active.rate), startNanos: active.lastHarvestWall,
                                    threadNames: active.ticker?.threadNames ?? [:], mode: active.ticker == nil ? .cpu : .wall)
            active.lastHarvest = counters
            active.lastHarvestMonotonic = now
            active.lastHarvestWall = wall
            current = active
            return raw
        }
    }

    /// The session's rate in Hz, nil when no session is open.
    public static var currentRate: Int? { session.withLock { $0?.rate } }

    /// Stops sampling and returns the symbolized profile.
    public static func stop(options: Symbolizer.Options = Symbolizer.Options()) throws(ProfilerError) -> Profile {
        let raw = try stopRaw()
        return Symbolizer(options: options).symbolize(raw)
    }

    /// Profiles `body` (and anything else the process runs meanwhile).
    public static func profile<Result>(rate: Int = defaultRate, mode: Mode = .cpu, options: Symbolizer.Options = Symbolizer.Options(),
                                       _ body: () throws -> Result) throws -> (Result, Profile) {
        try start(rate: rate, mode: mode)
        let result: Result
        do {
            result = try body()
        } catch {
            _ = try? stopRaw()
            throw error
        }
        return (result, try stop(options: options))
    }

    // MARK: - Internals

    private struct Session: @unchecked Sendable {
        var rate: Int
        var ring: UnsafeMutablePointer<Int>
        var reader: RingReader
        /// Signals every thread in wall-clock mode; nil in CPU mode.
        var ticker: WallClockTicker?
        /// Counters, monotonic and wall time at the last harvest (or the start).
        var lastHarvest: Counters
        var lastHarvestMonotonic: Int64
        var lastHarvestWall: Int64
    }

    /// A snapshot of the handler's counters, to report per-interval statistics.
    struct Counters {
        var signals = 0, samples = 0, droppedFull = 0, droppedBusy = 0, droppedLoader = 0
        var unwindFailures = 0, handlerNanos = 0

        static func now() -> Counters {
            Counters(signals: SamplerState.load(.signals), samples: SamplerState.load(.samples),
                     droppedFull: SamplerState.load(.droppedFull), droppedBusy: SamplerState.load(.droppedBusy),
                     droppedLoader: SamplerState.load(.droppedLoader), unwindFailures: SamplerState.load(.unwindFailures),
                     handlerNanos: SamplerState.load(.handlerNanos))
        }

        func statistics(since base: Counters, rate: Int, durationNanos: Int) -> SamplerStatistics {
            SamplerStatistics(rate: rate, signals: signals - base.signals, samples: samples - base.samples,
                              droppedFull: droppedFull - base.droppedFull, droppedBusy: droppedBusy - base.droppedBusy,
                              droppedLoader: droppedLoader - base.droppedLoader,
                              unwindFailures: unwindFailures - base.unwindFailures,
                              handlerNanos: handlerNanos - base.handlerNanos, durationNanos: durationNanos)
        }
    }

    private static let session = LockedValue<Session?>(nil)

    /// Unwinds the calling thread a few times so libunwind has initialised itself and
    /// cached the unwind state of common frames before the first signal arrives.
    static func warmUpUnwinder() {
        let buffer = UnsafeMutablePointer<UInt>.allocate(capacity: 256)
        defer { buffer.deallocate() }
        for _ in 0..<3 { _ = guts_unw_backtrace_here(buffer, 256) }
    }

    static func monotonicNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    static func wallNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
