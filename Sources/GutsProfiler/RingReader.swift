import CUnwind
import Foundation
import Glibc

/// Drains the sample ring on a background thread and aggregates identical stacks.
///
/// The ring has one writer at a time (the handler holding `busy`) and one reader (this
/// thread): the writer publishes a slot by advancing `writeIndex`, the reader frees
/// slots by advancing `readIndex`, both with sequentially consistent atomics.
final class RingReader: @unchecked Sendable {
    private let ring: UnsafeMutablePointer<Int>
    private let capacity: Int
    private let slotWords: Int
    private let state = LockedValue(State())
    private let finished = DispatchSemaphore(value: 0)

    private struct State: Sendable {
        var stopRequested = false
        var stacks: [RawCPUProfile.StackKey: Int] = [:]
    }

    /// Microseconds between drains.
    private let pollMicros: UInt32

    /// - Parameter samplesPerSecond: the most samples the handler can write per second;
    ///   the reader wakes often enough to drain a quarter of the ring at that pace, and at
    ///   most every 10 ms and at least every 250 ms. (A fixed 10 ms poll woke the reader
    ///   100 times a second at 19 Hz, for under two samples per wake.)
    init(ring: UnsafeMutablePointer<Int>, capacity: Int, slotWords: Int, samplesPerSecond: Int) {
        self.ring = ring
        self.capacity = capacity
        self.slotWords = slotWords
        let micros = Double(capacity) * 1e6 / Double(4 * max(1, samplesPerSecond))
        pollMicros = UInt32(min(250_000, max(10_000, micros)))
    }

    func start() {
        let thread = Thread { [self] in
            CPUProfiler.warmUpUnwinder()
            while true {
                // Draining under the lock keeps `take()` exact; the handler never takes it.
                let stopping = state.withLock { state -> Bool in
                    drain(into: &state.stacks)
                    return state.stopRequested
                }
                if stopping { break }
                usleep(pollMicros)
            }
            finished.signal()
        }
        thread.name = "guts-profiler-reader"
        thread.start()
    }

    /// Returns the stacks aggregated since the last `take()` (or the start) and forgets
    /// them, leaving the thread running. Used by continuous profiling.
    func take() -> [RawCPUProfile.StackKey: Int] {
        state.withLock { state in
            drain(into: &state.stacks)
            let taken = state.stacks
            state.stacks = [:]
            return taken
        }
    }

    /// Stops the thread after a final drain and returns the stacks not yet taken.
    func stop() -> [RawCPUProfile.StackKey: Int] {
        state.withLock { $0.stopRequested = true }
        finished.wait()
        return take()
    }

    private func drain(into stacks: inout [RawCPUProfile.StackKey: Int]) {
        let write = SamplerState.load(.writeIndex)
        var read = SamplerState.load(.readIndex)
        while read < write {
            let slot = ring + (read % capacity) * slotWords
            let depth = max(0, min(slot[0], slotWords - SamplerState.slotHeaderWords))
            let thread = Int32(truncatingIfNeeded: slot[1])
            let ips = UnsafeRawPointer(slot + SamplerState.slotHeaderWords).assumingMemoryBound(to: UInt.self)
            let key = RawCPUProfile.StackKey(thread: thread, addresses: Array(UnsafeBufferPointer(start: ips, count: depth)))
            stacks[key, default: 0] += 1
            read += 1
            SamplerState.store(.readIndex, read)
        }
    }
}
