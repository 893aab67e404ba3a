/// A goal from the node's performance plan, printed beside the metric it applies to.
public struct SeedTarget: Sendable, Codable, Equatable {
    /// Whether the measured value must stay below or above `threshold`.
    public enum Comparison: String, Sendable, Codable {
        case below, above
    }

    public var comparison: Comparison
    public var threshold: Double
    /// Human wording, e.g. `"< 2 s"`.
    public var label: String

    public init(_ comparison: Comparison, _ threshold: Double, label: String) {
        self.comparison = comparison
        self.threshold = threshold
        self.label = label
    }

    /// True when `value` meets the target.
    public func isMet(by value: Double) -> Bool {
        switch comparison {
        case .below: value < threshold
        case .above: value > threshold
        }
    }

    /// Push of 1 MiB, p95 in seconds.
    public static let pushP95 = SeedTarget(.below, 2, label: "< 2 s")
    /// Clone throughput in MB/s.
    public static let cloneThroughput = SeedTarget(.above, 10, label: "> 10 MB/s")
    /// API read p99 in milliseconds.
    public static let apiReadP99 = SeedTarget(.below, 100, label: "< 100 ms")
    /// API write p99 in milliseconds.
    public static let apiWriteP99 = SeedTarget(.below, 500, label: "< 500 ms")
    /// Concurrent connections held.
    public static let connections = SeedTarget(.above, 9_999, label: ">= 10,000")
    /// Repositories per node.
    public static let repositories = SeedTarget(.above, 99_999, label: ">= 100,000")
    /// Resident memory per 10,000 repositories, in MB.
    public static let memoryPer10k = SeedTarget(.below, 4_000, label: "< 4 GB")
    /// Start-up to ready, in seconds.
    public static let startup = SeedTarget(.below, 30, label: "< 30 s")
}
