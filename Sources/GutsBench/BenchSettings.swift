import GutsStorage

/// Parameters of every scenario; the defaults measure the seed targets.
public struct BenchSettings: Sendable {
    /// Seconds of load discarded before measuring.
    public var warmup: Double = 2
    /// Seconds each measured sample lasts.
    public var duration: Double = 10
    /// Repeated samples; results are their medians.
    public var samples: Int = 3
    /// API read connections.
    public var connections: Int = 1000
    /// API write connections.
    public var writeConnections: Int = 64
    /// Constant aggregate request rate for an extra API read run; nil skips it.
    public var rate: Double?
    /// The endpoint API reads hit.
    public var readPath: String = "/api/repos?limit=20"
    public var storage = StorageBenchmarkConfiguration()
    /// Size of the generated repository the clone scenario uses.
    public var cloneMegabytes: Double = 20
    /// A local git repository (real history) that clone and push use instead of generated
    /// content: clone measures clones and incremental fetches of it, push its first push.
    public var cloneRepository: String?
    /// git's own server to run beside the node on the same history, in the same run.
    public var peer: GitPeer.Kind?
    /// Pushes measured (after one warm-up push).
    public var pushSamples: Int = 20
    /// New content per push.
    public var pushBytes: Int = 1 << 20
    /// Clones per second for an extra open-loop clone run; nil skips it.
    public var cloneRate: Double?
    /// Pushes per second for an extra open-loop push run; nil skips it.
    public var pushRate: Double?
    /// Most clones or pushes in flight at once in the open-loop runs; one past it waits, and its
    /// wait counts in its latency.
    public var rateConcurrency: Int = 8
    /// The classes `mix` and `soak` run and their shares.
    public var mix = MixRatio.standard
    /// Operations per second of `mix` and `soak`, all classes together.
    public var mixRate: Double = 20
    /// Seconds between `soak` samples (its total length is `duration`).
    public var soakInterval: Double = 60
    /// Relative change over a soak run past which a series is flagged as drifting.
    public var driftThreshold: Double = 0.10
    /// Idle keep-alive connections the connections scenario opens.
    public var holdConnections: Int = 10_000
    /// Connections that send requests while the others are held.
    public var probeConnections: Int = 16
    /// Repositories the repos scenario creates.
    public var repositories: Int = 10_000

    public init() {}
}
