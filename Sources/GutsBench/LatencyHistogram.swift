/// A log-linear (HDR-style) histogram of non-negative integer values, typically nanoseconds.
///
/// Values below 2,048 are recorded exactly; larger values fall in buckets whose width is
/// at most 1/1,024 of their value (three significant decimal digits). Percentiles report
/// the highest value equivalent to the bucket they land in, clamped to the recorded maximum,
/// so they never understate a latency.
public struct LatencyHistogram: Sendable, Codable, Equatable {
    static let subBucketBits = 11
    static let subBucketCount = 1 << subBucketBits
    static let subBucketHalf = subBucketCount / 2

    private var counts: [UInt64] = []
    /// Values recorded.
    public private(set) var totalCount: UInt64 = 0
    /// Smallest recorded value (0 when empty).
    public private(set) var minimum: UInt64 = .max
    /// Largest recorded value (0 when empty).
    public private(set) var maximum: UInt64 = 0
    private var sum: Double = 0

    public init() {}

    /// Adds `count` occurrences of `value`.
    public mutating func record(_ value: UInt64, count: UInt64 = 1) {
        let index = Self.index(of: value)
        if index >= counts.count { counts += [UInt64](repeating: 0, count: index + 1 - counts.count) }
        counts[index] += count
        totalCount += count
        minimum = Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
        sum += Double(value) * Double(count)
    }

    /// Records `value` and, as HdrHistogram does for coordinated omission, the samples a
    /// stalled closed-loop client failed to send: `value - interval`, `value - 2·interval`, ...
    /// while they exceed `expectedInterval`.
    public mutating func record(_ value: UInt64, expectedInterval: UInt64) {
        record(value)
        guard expectedInterval > 0, value > expectedInterval else { return }
        var missing = value - expectedInterval
        while missing >= expectedInterval {
            record(missing)
            missing -= expectedInterval
        }
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        guard other.totalCount > 0 else { return }
        if other.counts.count > counts.count { counts += [UInt64](repeating: 0, count: other.counts.count - counts.count) }
        for (index, count) in other.counts.enumerated() where count > 0 { counts[index] += count }
        totalCount += other.totalCount
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        sum += other.sum
    }

    /// Mean of recorded values (0 when empty).
    public var mean: Double { totalCount == 0 ? 0 : sum / Double(totalCount) }

    /// The smallest recorded value such that at least `percentile`% of values are at or below it
    /// (within the bucket resolution); 0 when empty.
    public func value(atPercentile percentile: Double) -> UInt64 {
        guard totalCount > 0 else { return 0 }
        let clamped = Swift.min(100, Swift.max(0, percentile))
        let threshold = Swift.max(1, UInt64((clamped / 100 * Double(totalCount) - 1e-9).rounded(.up)))
        var cumulative: UInt64 = 0
        for (index, count) in counts.enumerated() where count > 0 {
            cumulative += count
            if cumulative >= threshold {
                return Swift.min(maximum, Swift.max(minimum, Self.highestEquivalent(index: index)))
            }
        }
        return maximum
    }

    static func index(of value: UInt64) -> Int {
        let magnitude = 63 - (value | 1).leadingZeroBitCount
        let shift = Swift.max(0, magnitude - (subBucketBits - 1))
        return shift * subBucketHalf + Int(value >> UInt64(shift))
    }

    static func highestEquivalent(index: Int) -> UInt64 {
        let shift = Swift.max(0, index / subBucketHalf - 1)
        let subBucket = UInt64(index - shift * subBucketHalf)
        return ((subBucket + 1) << UInt64(shift)) - 1
    }
}
