import Foundation

/// One recording in this process: the CPU sampler with, as asked, a memory timeline and
/// the allocation sampler, started together (what started is stopped again if a later
/// one fails) and stopped together, around work that runs until it ends or time is up.
/// What `guts profile -- <subcommand>` does, as a library call.
public enum ProfilingSession {
    public struct Options: Sendable {
        public var rate: Int
        public var mode: CPUProfiler.Mode
        /// Memory timeline interval in seconds; nil records none.
        public var memoryInterval: Double?
        /// Mean bytes between allocation samples; nil samples no allocations.
        public var allocationInterval: Int?
        /// Root frames per thread (always on in wall mode).
        public var threadRootFrames: Bool

        public init(rate: Int = CPUProfiler.defaultRate, mode: CPUProfiler.Mode = .cpu, memoryInterval: Double? = nil,
                    allocationInterval: Int? = nil, threadRootFrames: Bool = false) {
            self.rate = rate
            self.mode = mode
            self.memoryInterval = memoryInterval
            self.allocationInterval = allocationInterval
            self.threadRootFrames = threadRootFrames
        }
    }

    /// How the work ended.
    public enum Outcome: Sendable {
        case finished
        case failed(any Error)
        /// Time was up first; the work was cancelled.
        case timedOut
    }

    public struct Result: Sendable {
        public var outcome: Outcome
        public var cpu: Profile
        public var memory: MemoryTimeline?
        public var allocations: AllocationProfiler.Result?
    }

    /// Records while `work` runs, for at most `seconds`.
    public static func record(_ options: Options, seconds: Double, _ work: @escaping @Sendable () async throws -> Void) async throws -> Result {
        let memory = options.memoryInterval.map { MemorySampler(interval: $0) }
        memory?.start()
        do {
            try CPUProfiler.start(rate: options.rate, mode: options.mode)
        } catch {
            _ = memory?.stop()
            throw error
        }
        if let interval = options.allocationInterval {
            do {
                try AllocationProfiler.start(sampleInterval: interval)
            } catch {
                _ = try? CPUProfiler.stopRaw()
                _ = memory?.stop()
                throw error
            }
        }
        let outcome = await run(work, seconds: seconds)
        let allocations = options.allocationInterval == nil ? nil
            : try AllocationProfiler.stopWithStatistics(options: Symbolizer.Options(threadRootFrames: options.threadRootFrames))
        let cpu = try CPUProfiler.stop(options: Symbolizer.Options(threadRootFrames: options.threadRootFrames || options.mode == .wall))
        return Result(outcome: outcome, cpu: cpu, memory: memory?.stop(), allocations: allocations)
    }

    /// Runs `work` in a detached task until it ends or `seconds` pass (then cancels it).
    static func run(_ work: @escaping @Sendable () async throws -> Void, seconds: Double) async -> Outcome {
        let (events, continuation) = AsyncStream.makeStream(of: Outcome.self)
        let task = Task.detached {
            do {
                try await work()
                continuation.yield(.finished)
            } catch {
                continuation.yield(.failed(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            continuation.yield(.timedOut)
        }
        var outcome = Outcome.timedOut
        for await event in events {
            outcome = event
            break
        }
        timer.cancel()
        if case .timedOut = outcome { task.cancel() }
        return outcome
    }
}
