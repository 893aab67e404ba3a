/// Unsymbolized CPU samples: instruction-pointer stacks (leaf first) with counts.
public struct RawCPUProfile: Sendable {
    /// One distinct stack on one thread.
    public struct StackKey: Hashable, Sendable {
        /// Linux thread id of the sampled thread.
        public var thread: Int32
        /// Instruction pointers, leaf first. The first is the interrupted PC; the rest
        /// are return addresses.
        public var addresses: [UInt]

        public init(thread: Int32, addresses: [UInt]) {
            self.thread = thread
            self.addresses = addresses
        }
    }

    public var stacks: [StackKey: Int]
    public var statistics: SamplerStatistics
    /// Sampling period in nanoseconds of CPU time.
    public var periodNanos: Int64
    /// Wall-clock start, nanoseconds since the Unix epoch.
    public var startNanos: Int64
    /// Names of the sampled threads, where known (wall-clock mode).
    public var threadNames: [Int32: String]
    public var mode: CPUProfiler.Mode = .cpu

    public init(stacks: [StackKey: Int] = [:], statistics: SamplerStatistics = SamplerStatistics(), periodNanos: Int64 = 0, startNanos: Int64 = 0,
                threadNames: [Int32: String] = [:], mode: CPUProfiler.Mode = .cpu) {
        self.stacks = stacks
        self.statistics = statistics
        self.periodNanos = periodNanos
        self.startNanos = startNanos
        self.threadNames = threadNames
        self.mode = mode
    }

    public var totalSamples: Int { stacks.values.reduce(0, +) }
}
