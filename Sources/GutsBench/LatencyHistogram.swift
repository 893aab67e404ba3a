import Histogram

/// Latencies (typically nanoseconds) in an HdrHistogram with three significant digits:
/// values below 2,048 exactly, larger ones in buckets at most 1/1,024 of their value
/// wide. Percentiles report the highest value equivalent to their bucket, clamped to the
/// recorded maximum, so they never understate a latency.
///
/// A thin face over hdrhistogram-swift's `Histogram`, shaped for the reports: merges,
/// coordinated-omission correction, and a value type that compares equal by content.
public struct LatencyHistogram: Sendable, Codable, Equatable {
    private var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)

    public init() {}

    /// Values recorded.
    public var totalCount: UInt64 { histogram.totalCount }
    /// Smallest recorded value (0 when empty).
    public var minimum: UInt64 { totalCount == 0 ? 0 : histogram.min }
    /// Largest recorded value (0 when empty).
    public var maximum: UInt64 { totalCount == 0 ? 0 : histogram.maxRecorded }
    /// Mean of recorded values, at the bucket resolution (0 when empty).
    public var mean: Double { histogram.mean }

    /// Adds `count` occurrences of `value`.
    public mutating func record(_ value: UInt64, count: UInt64 = 1) {
        _ = histogram.record(value, count: count)
    }

    /// Records `value` and, for coordinated omission, the samples a stalled closed-loop
    /// client failed to send: `value - interval`, `value - 2·interval`, … while they are
    /// at least `expectedInterval`.
    public mutating func record(_ value: UInt64, expectedInterval: UInt64) {
        _ = histogram.recordCorrectedValue(value, expectedInterval: expectedInterval)
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.totalCount > 0 else { return }
        histogram.add(other.histogram)
    }

    /// The smallest recorded value such that at least `percentile`% of values are at or
    /// below it (within the bucket resolution); 0 when empty.
    public func value(atPercentile percentile: Double) -> UInt64 {
        guard totalCount > 0 else { return 0 }
        return histogram.valueAtPercentile(Swift.min(100, Swift.max(0, percentile)))
    }

    public static func == (left: LatencyHistogram, right: LatencyHistogram) -> Bool {
        guard left.totalCount == right.totalCount, left.minimum == right.minimum, left.maximum == right.maximum else { return false }
        return Array(left.histogram.recordedValues().map { [$0.value, $0.count] }) == Array(right.histogram.recordedValues().map { [$0.value, $0.count] })
    }
}
