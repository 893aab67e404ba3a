/// What a load generator run saw after warm-up.
public struct LoadResult: Sendable {
    /// Latencies in nanoseconds.
    public var histogram: LatencyHistogram
    /// Requests answered with 2xx and recorded.
    public var completed: Int
    /// Non-2xx answers, connection errors and requests cut off by a closed connection.
    public var errors: Int
    public var connectionsOpened: Int
    public var connectFailures: Int
    /// The measured window.
    public var seconds: Double

    public var requestsPerSecond: Double { seconds > 0 ? Double(completed) / seconds : 0 }

    /// A latency percentile in milliseconds.
    public func milliseconds(atPercentile percentile: Double) -> Double {
        Double(histogram.value(atPercentile: percentile)) / 1e6
    }
}
