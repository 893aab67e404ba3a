import CSystemSupport
import Foundation
import Glibc

/// Records a `MemoryTimeline` on a background thread: `mallinfo2()` and RSS every
/// `interval` seconds until `stop()`, plus the caller's extra gauges.
public final class MemorySampler: Sendable {
    private let interval: Double
    private let gauges: (@Sendable () -> [String: Int])?
    private let state = LockedValue(State())
    private let finished = DispatchSemaphore(value: 0)

    private struct State: Sendable {
        var points: [MemoryTimeline.Point] = []
        var stopRequested = false
        var started = false
    }

    /// - Parameter gauges: read at every sample on the sampler thread; extra byte
    ///   counts to record beside malloc's (e.g. RocksDB memory).
    public init(interval: Double = 0.1, gauges: (@Sendable () -> [String: Int])? = nil) {
        self.interval = max(0.001, interval)
        self.gauges = gauges
    }

    /// Takes one reading now.
    public static func read(seconds: Double = 0) -> MemoryTimeline.Point {
        let info = mallinfo2()
        return MemoryTimeline.Point(seconds: seconds, arena: Int(info.arena), inUse: Int(info.uordblks),
                                    free: Int(info.fordblks), mmapped: Int(info.hblkhd),
                                    releasable: Int(info.keepcost), rss: residentBytes())
    }

    /// Resident set size: the second field of `/proc/self/statm`, in pages.
    public static func residentBytes() -> Int {
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = Glibc.read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return 0 }
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Starts the sampling thread (once).
    public func start() {
        let shouldStart = state.withLock { state -> Bool in
            if state.started { return false }
            state.started = true
            return true
        }
        guard shouldStart else { return }
        let interval = self.interval
        let gauges = self.gauges
        let thread = Thread { [self] in
            let origin = CPUProfiler.monotonicNanos()
            while true {
                let seconds = Double(CPUProfiler.monotonicNanos() - origin) / 1e9
                var point = Self.read(seconds: seconds)
                if let gauges { point.gauges = gauges() }
                let stop = state.withLock { state -> Bool in
                    state.points.append(point)
                    return state.stopRequested
                }
                if stop { break }
                usleep(UInt32(interval * 1_000_000))
            }
            finished.signal()
        }
        thread.name = "guts-memory-sampler"
        thread.start()
    }

    /// Stops the thread (after one last reading) and returns the timeline.
    public func stop() -> MemoryTimeline {
        let running = state.withLock { state -> Bool in
            state.stopRequested = true
            return state.started
        }
        if running { finished.wait() }
        return MemoryTimeline(intervalSeconds: interval, points: state.withLock { $0.points })
    }
}
