/// Exact counters of one cache, as a snapshot.
public struct CacheStatistics: Sendable, Codable, Equatable {
    public var name: String
    public var hits: UInt64 = 0
    public var misses: UInt64 = 0
    public var inserts: UInt64 = 0
    public var evictions: UInt64 = 0
    /// Bytes held now.
    public var bytes: Int = 0
    /// Entries held now.
    public var entries: Int = 0
    public var capacityBytes: Int = 0
    public var capacityEntries: Int = 0

    public init(name: String, capacityBytes: Int = 0, capacityEntries: Int = 0) {
        self.name = name
        self.capacityBytes = capacityBytes
        self.capacityEntries = capacityEntries
    }

    /// hits / (hits + misses), 0 before the first lookup.
    public var hitRatio: Double {
        let lookups = hits + misses
        return lookups == 0 ? 0 : Double(hits) / Double(lookups)
    }
}
