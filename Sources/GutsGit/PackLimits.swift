/// Bounds on what a pack may make the reader do, so hostile input cannot exhaust memory or time.
public struct PackLimits: Sendable, Hashable {
    /// Largest inflated object (or delta) accepted, in bytes.
    public var maxObjectSize: Int
    /// Largest object count a pack header may declare.
    public var maxObjectCount: Int
    /// Longest chain of deltas on deltas.
    public var maxDeltaChainDepth: Int
    /// Bytes of inflated delta bases kept in the reader's LRU cache.
    public var deltaBaseCacheBytes: Int

    public init(maxObjectSize: Int = 1 << 31, maxObjectCount: Int = 20_000_000,
                maxDeltaChainDepth: Int = 10_000, deltaBaseCacheBytes: Int = 64 << 20) {
        self.maxObjectSize = maxObjectSize
        self.maxObjectCount = maxObjectCount
        self.maxDeltaChainDepth = maxDeltaChainDepth
        self.deltaBaseCacheBytes = deltaBaseCacheBytes
    }

    public static let `default` = PackLimits()
}
