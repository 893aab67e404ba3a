/// A latency distribution as a percentile curve, for reports: the value at each of a fixed set
/// of percentiles, from a histogram of nanoseconds.
public struct LatencyCurve: Sendable, Codable, Equatable {
    public struct Point: Sendable, Codable, Equatable {
        public var percentile: Double
        public var value: Double
    }

    /// The request class, e.g. `read` or `push.native`, matching the metric name prefix.
    public var name: String
    public var unit: String
    /// Values the curve is drawn from.
    public var count: UInt64
    public var points: [Point]

    /// Percentiles sampled, dense towards the tail where a log "nines" axis spreads them out.
    public static let percentiles: [Double] = [0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 100]

    public init(name: String, unit: String, count: UInt64, points: [Point]) {
        self.name = name
        self.unit = unit
        self.count = count
        self.points = points
    }

    /// The curve of `histogram` (nanoseconds) in `unit`, `ms` or `s`.
    public init(name: String, histogram: LatencyHistogram, unit: String = "ms") {
        let divisor = unit == "s" ? 1e9 : 1e6
        self.init(
            name: name, unit: unit, count: histogram.totalCount,
            points: Self.percentiles.map { Point(percentile: $0, value: Double(histogram.value(atPercentile: $0)) / divisor) })
    }
}
