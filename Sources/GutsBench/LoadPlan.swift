/// How a load generator drives a node.
public struct LoadPlan: Sendable {
    public var host: String
    public var port: Int
    public var connections: Int
    /// Seconds of measurement after warm-up (ignored when `totalRequests` is set).
    public var duration: Double
    /// Seconds of load whose latencies are discarded.
    public var warmup: Double
    /// Total requests per second across connections (constant-rate mode, latency measured from
    /// each request's intended send time, which corrects coordinated omission); nil for closed loop.
    public var rate: Double?
    /// Stop after this many requests in all instead of after `duration`.
    public var totalRequests: Int?
    public var request: LoadRequest

    public init(
        host: String, port: Int, connections: Int, duration: Double, warmup: Double = 0, rate: Double? = nil,
        totalRequests: Int? = nil, request: LoadRequest
    ) {
        self.host = host
        self.port = port
        self.connections = connections
        self.duration = duration
        self.warmup = warmup
        self.rate = rate
        self.totalRequests = totalRequests
        self.request = request
    }
}
