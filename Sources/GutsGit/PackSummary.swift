/// What a successfully read pack contained.
public struct PackSummary: Sendable, Hashable {
    /// Pack format version (2 or 3).
    public var version: UInt32
    /// Entries in the pack, as its header declares (and as were read).
    public var objectCount: Int
    /// Entries by the type of the object they produce (deltas count as their base's type).
    public var countsByType: [ObjectType: Int]
    /// Entries stored as OFS_DELTA or REF_DELTA.
    public var deltaCount: Int
    /// Distinct REF_DELTA bases that came from outside the pack (a thin pack).
    public var externalBaseCount: Int
    /// The SHA-1 trailer, which names the pack.
    public var checksum: ObjectID

    public init(version: UInt32, objectCount: Int, countsByType: [ObjectType: Int], deltaCount: Int,
                externalBaseCount: Int, checksum: ObjectID) {
        self.version = version
        self.objectCount = objectCount
        self.countsByType = countsByType
        self.deltaCount = deltaCount
        self.externalBaseCount = externalBaseCount
        self.checksum = checksum
    }
}
