/// A symbolized profile: stacks of named frames with sample counts.
///
/// The common currency of the encoders (`FoldedStacks`, `SpeedscopeEncoder`,
/// `PprofEncoder`, `FlameGraphSVG`). Frames are root first. Codable, so a node can hand a
/// whole profile (every value column, addresses, mappings) to a client that renders it.
public struct Profile: Sendable, Codable {
    public struct Frame: Hashable, Sendable, Codable {
        /// Display name: demangled function, or `module+0xoffset`.
        public var name: String
        /// Module short name (`libc.so.6`), "" when unknown.
        public var module: String
        /// Instruction address in the process, 0 when unknown (e.g. parsed folded input).
        public var address: UInt
        /// The raw symbol name before demangling, "" when unknown.
        public var systemName: String
        /// Whether the frame is a thunk or forwarder that a readable stack folds into its caller.
        public var role: SwiftNameSimplifier.Role

        public init(name: String, module: String = "", address: UInt = 0, systemName: String = "", role: SwiftNameSimplifier.Role = .function) {
            self.name = name
            self.module = module
            self.address = address
            self.systemName = systemName
            self.role = role
        }
    }

    public struct Sample: Sendable, Codable {
        /// Root first.
        public var frames: [Frame]
        public var count: Int
        /// Thread id, 0 when unknown.
        public var thread: Int32
        /// The thread's name, when known (wall-clock mode).
        public var threadName: String?
        /// One value per `Profile.sampleTypes` entry, when the profile has several; `count`
        /// is then the one of them the single-valued encoders show.
        public var values: [Int] = []

        public init(frames: [Frame], count: Int, thread: Int32 = 0, threadName: String? = nil) {
            self.frames = frames
            self.count = count
            self.thread = thread
            self.threadName = threadName
        }
    }

    /// A loaded object, for pprof's mapping table.
    public struct Mapping: Sendable, Hashable, Codable {
        public var start: UInt
        public var limit: UInt
        public var fileOffset: UInt
        public var path: String

        public init(start: UInt, limit: UInt, fileOffset: UInt, path: String) {
            self.start = start
            self.limit = limit
            self.fileOffset = fileOffset
            self.path = path
        }
    }

    /// What a sample's `count` measures.
    public enum ValueUnit: String, Sendable, Codable {
        /// CPU samples (each `periodNanos` of CPU time when that is known).
        case samples
        /// Bytes (allocation profiles).
        case bytes
    }

    /// A named value column of pprof (`inuse_space` in bytes, `alloc_objects` in counts...).
    public struct SampleType: Sendable, Hashable, Codable {
        public var type: String
        public var unit: String

        public init(type: String, unit: String) {
            self.type = type
            self.unit = unit
        }
    }

    public var samples: [Sample]
    /// The columns of `Sample.values` (a heap profile's four); empty when `count` is the
    /// only value. pprof writes them all, with the last as the default.
    public var sampleTypes: [SampleType] = []
    /// What `Sample.count` measures; encoders label their output with it.
    public var valueUnit: ValueUnit = .samples
    /// CPU time or wall-clock time, for CPU-sampler profiles.
    public var mode: CPUProfiler.Mode = .cpu
    /// Nanoseconds of CPU time per sample.
    public var periodNanos: Int64
    public var durationNanos: Int64
    /// Wall-clock start, nanoseconds since the Unix epoch.
    public var startNanos: Int64
    public var mappings: [Mapping]
    /// Present when the profile came from the sampler.
    public var statistics: SamplerStatistics?

    public init(samples: [Sample], periodNanos: Int64 = 0, durationNanos: Int64 = 0, startNanos: Int64 = 0,
                mappings: [Mapping] = [], statistics: SamplerStatistics? = nil) {
        self.samples = samples
        self.periodNanos = periodNanos
        self.durationNanos = durationNanos
        self.startNanos = startNanos
        self.mappings = mappings
        self.statistics = statistics
    }

    public var totalCount: Int { samples.reduce(0) { $0 + $1.count } }

    /// This profile with `count` set to the values of the sample type named `type`
    /// (for the single-valued formats); nil when it has no such column.
    public func selecting(_ type: String) -> Profile? {
        guard let column = sampleTypes.firstIndex(where: { $0.type == type }) else { return nil }
        var result = self
        result.samples = samples.map { sample in
            var sample = sample
            sample.count = column < sample.values.count ? sample.values[column] : 0
            return sample
        }
        result.valueUnit = sampleTypes[column].unit == "bytes" ? .bytes : .samples
        return result
    }

    /// Fraction of samples with a frame satisfying `predicate` anywhere on the stack.
    public func inclusiveFraction(where predicate: (Frame) -> Bool) -> Double {
        let total = totalCount
        guard total > 0 else { return 0 }
        let matching = samples.filter { $0.frames.contains(where: predicate) }.reduce(0) { $0 + $1.count }
        return Double(matching) / Double(total)
    }

    /// Samples per leaf function name, most first.
    public func topSelf(limit: Int = 10) -> [(name: String, count: Int)] {
        var counts: [String: Int] = [:]
        for sample in samples {
            counts[sample.frames.last?.name ?? "[unknown]", default: 0] += sample.count
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(limit).map { (name: $0.key, count: $0.value) }
    }
}
