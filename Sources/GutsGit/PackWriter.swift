import GutsCompression
/// Writes a version 2 pack incrementally; the caller drains bytes with `takeOutput()`
/// as it goes, so a pack can be streamed to the network without being held whole.
///
/// Each `add...` returns the entry's offset in the pack, which later OFS_DELTA
/// entries use to name their base.
public struct PackWriter: Sendable {
    public let objectCount: Int
    /// Entries added so far.
    public private(set) var entriesWritten = 0
    /// Bytes produced so far, including ones already taken.
    public private(set) var bytesWritten = 0
    private var pending: [UInt8] = []
    private var hasher = SHA1()
    private var finished = false

    /// Starts a pack that will hold exactly `objectCount` entries.
    public init(objectCount: Int) {
        precondition(objectCount >= 0 && objectCount <= Int(UInt32.max), "pack object count out of range")  // safe: object counts come from this process, not from input
        self.objectCount = objectCount
        var header = Array("PACK".utf8)
        for value in [UInt32(2), UInt32(objectCount)] {  // safe: checked against UInt32.max just above
            for shift in stride(from: 24, through: 0, by: -8) { header.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }  // safe: shift is 0...24
        }
        emit(header)
    }

    private mutating func emit(_ bytes: [UInt8]) {
        hasher.update(bytes)
        pending.append(contentsOf: bytes)
        bytesWritten += bytes.count
    }

    private mutating func addEntry(kind: UInt8, size: Int, base: [UInt8], compressed: [UInt8]) -> Int {
        precondition(!finished, "pack already finished")  // safe: a programming error, never input-driven: writers are used once
        let offset = bytesWritten
        var header: [UInt8] = []
        PackEntryHeader.appendKindAndSize(kind: kind, size: size, to: &header)
        header.append(contentsOf: base)
        emit(header)
        emit(compressed)
        entriesWritten += 1
        return offset
    }

    /// Adds a whole object whose body is already zlib-compressed (as storage keeps it),
    /// copying the bytes without recompressing. `size` is the inflated body size.
    @discardableResult
    public mutating func addCompressed(type: ObjectType, size: Int, compressed: [UInt8]) -> Int {
        addEntry(kind: type.rawValue, size: size, base: [], compressed: compressed)
    }

    /// Compresses and adds a whole object.
    @discardableResult
    public mutating func add(_ object: RawObject) throws -> Int {
        addEntry(kind: object.type.rawValue, size: object.body.count, base: [], compressed: try Zlib.compress(object.body))
    }

    /// Adds a delta against the entry written at `baseOffset` (an OFS_DELTA).
    @discardableResult
    public mutating func addOffsetDelta(baseOffset: Int, delta: [UInt8]) throws -> Int {
        try addOffsetDelta(baseOffset: baseOffset, instructionsSize: delta.count, compressed: try Zlib.compress(delta))
    }

    /// Adds an OFS_DELTA whose instructions (`instructionsSize` bytes inflated) are already compressed.
    @discardableResult
    public mutating func addOffsetDelta(baseOffset: Int, instructionsSize: Int, compressed: [UInt8]) throws -> Int {
        guard baseOffset >= 12, baseOffset < bytesWritten else {
            throw PackWriterError.badBaseOffset(baseOffset, current: bytesWritten)
        }
        var distance: [UInt8] = []
        PackEntryHeader.appendOffsetDistance(bytesWritten - baseOffset, to: &distance)
        return addEntry(kind: PackEntryHeader.offsetDelta, size: instructionsSize, base: distance, compressed: compressed)
    }

    /// Adds a delta against the object `baseID` (a REF_DELTA); the base may be outside the pack.
    @discardableResult
    public mutating func addRefDelta(baseID: ObjectID, delta: [UInt8]) throws -> Int {
        addRefDelta(baseID: baseID, instructionsSize: delta.count, compressed: try Zlib.compress(delta))
    }

    /// Adds a REF_DELTA whose instructions (`instructionsSize` bytes inflated) are already compressed.
    @discardableResult
    public mutating func addRefDelta(baseID: ObjectID, instructionsSize: Int, compressed: [UInt8]) -> Int {
        addEntry(kind: PackEntryHeader.refDelta, size: instructionsSize, base: baseID.bytes, compressed: compressed)
    }

    /// Bytes produced since the last call.
    public mutating func takeOutput() -> [UInt8] {
        defer { pending = [] }
        return pending
    }

    /// Appends the SHA-1 trailer to the pending output and returns it (the pack's name).
    @discardableResult
    public mutating func finish() -> ObjectID {
        assert(entriesWritten == objectCount, "pack header promised \(objectCount) entries, \(entriesWritten) written")
        precondition(!finished, "pack already finished")  // safe: a programming error, never input-driven: writers are used once
        let checksum = hasher.finalize()
        let trailer = checksum.bytes
        pending.append(contentsOf: trailer)
        bytesWritten += trailer.count
        finished = true
        return checksum
    }
}

/// A misuse of `PackWriter`.
public enum PackWriterError: Error, CustomStringConvertible, Sendable, Equatable {
    case badBaseOffset(Int, current: Int)

    public var description: String {
        switch self {
        case let .badBaseOffset(offset, current):
            "OFS_DELTA base offset \(offset) is not an earlier entry (pack is at \(current))"
        }
    }
}
