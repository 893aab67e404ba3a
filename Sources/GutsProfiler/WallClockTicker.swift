import CSystemSupport
import Foundation
import Glibc

/// Wall-clock sampling: a thread that, `rate` times a second, sends `SIGPROF` to every other
/// thread of the process in turn (`tgkill`), whether it runs or waits in a system call, so
/// the handler records where each thread is, blocked frames included. One signal is in flight
/// at a time: the ticker waits (up to 5 ms) for the handler to finish before it signals the
/// next thread, so the handler's single `busy` word is never contended by its own ticks.
///
/// A signal interrupts a blocking call. The handler is installed with `SA_RESTART`, so most
/// calls resume; `epoll_wait`, `nanosleep` and waits with a timeout return `EINTR` (or sleep
/// less), which event loops and `sleep` loops retry, as under async-profiler's wall mode.
final class WallClockTicker: @unchecked Sendable {
    private let rate: Int
    private let stopped = LockedValue(false)
    private let names = LockedValue<[Int32: String]>([:])
    /// Ticks each thread was signalled on; its name is read again on the 1st, 2nd, 4th, 8th...,
    /// since a thread often names itself just after it started. Used by the ticker thread only.
    private var sightings: [Int32: Int] = [:]
    private let finished = DispatchSemaphore(value: 0)

    init(rate: Int) {
        self.rate = rate
    }

    /// The `comm` name of every thread signalled so far: as it is now for a thread still
    /// running (a thread often names itself after it started), as last seen for one that exited.
    var threadNames: [Int32: String] {
        refreshNames()
        return names.withLock { $0 }
    }

    private func refreshNames() {
        let live = Set(Self.threads())
        let known = names.withLock { Array($0.keys) }
        for thread in known where live.contains(thread) {
            let name = Self.name(of: thread)
            names.withLock { $0[thread] = name }
        }
    }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "guts-wall-ticker"
        thread.start()
    }

    /// Stops ticking and waits for the ticker thread to finish.
    func stop() {
        stopped.withLock { $0 = true }
        finished.wait()
        refreshNames()
    }

    private func run() {
        let process = getpid()
        let me = guts_gettid()
        let period = 1_000_000_000 / Int64(max(1, rate))
        var next = CPUProfiler.monotonicNanos()
        while !stopped.withLock({ $0 }) {
            for thread in Self.threads() where thread != me {
                let seen = sightings[thread, default: 0] + 1
                sightings[thread] = seen
                // A new thread starts with its creator's name and names itself soon after:
                // read it on each of its first sightings, then at powers of two.
                if seen <= 16 || seen & (seen - 1) == 0 {
                    let name = Self.name(of: thread)
                    names.withLock { $0[thread] = name }
                }
                let before = SamplerState.load(.signals)
                guard guts_tgkill(process, thread, SIGPROF) == 0 else { continue }  // the thread has exited
                let deadline = CPUProfiler.monotonicNanos() + 5_000_000
                while (SamplerState.load(.signals) == before || SamplerState.load(.busy) != 0)
                    && CPUProfiler.monotonicNanos() < deadline {
                    sched_yield()
                }
            }
            next += period
            let now = CPUProfiler.monotonicNanos()
            if next > now {
                usleep(useconds_t(min(Int64(UInt32.max), (next - now) / 1000)))
            } else {
                next = now  // behind: skip the ticks missed rather than burst
            }
        }
    }

    /// The ids of this process's threads, from `/proc/self/task`.
    static func threads() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { Int32($0) }
    }

    /// A thread's name (`/proc/self/task/<tid>/comm`), or `thread <tid>` when it has none.
    static func name(of thread: Int32) -> String {
        let text = (try? String(contentsOfFile: "/proc/self/task/\(thread)/comm", encoding: .utf8)) ?? ""
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? "thread \(thread)" : name
    }
}
