import GutsCompression
import GutsGit

/// An object as stored: its type, inflated size and a zlib stream that is either the
/// whole body or a git delta against another stored object.
///
/// The compressed bytes are exactly what a pack entry carries after its header, so a
/// pack writer copies them without recompressing, as a whole entry or an OFS/REF delta.
public struct StoredObject: Sendable, Equatable {
    /// How a delta-stored object is rebuilt.
    public struct DeltaReference: Sendable, Equatable {
        /// The object the delta applies to (stored in the same repository).
        public var base: ObjectID
        /// Deltas between this object and a whole one (1 when the base is whole).
        public var depth: Int
        /// Inflated size of the delta instructions.
        public var instructionsSize: Int

        public init(base: ObjectID, depth: Int, instructionsSize: Int) {
            self.base = base
            self.depth = depth
            self.instructionsSize = instructionsSize
        }
    }

    public var id: ObjectID
    public var type: ObjectType
    /// Inflated body size in bytes.
    public var size: Int
    /// zlib stream of the body, or of the delta instructions when `delta` is set.
    public var compressed: [UInt8]
    /// Set when the object is stored as a delta.
    public var delta: DeltaReference?

    public init(id: ObjectID, type: ObjectType, size: Int, compressed: [UInt8], delta: DeltaReference? = nil) {
        self.id = id
        self.type = type
        self.size = size
        self.compressed = compressed
        self.delta = delta
    }

    /// The inflated stream: the body, or the delta instructions. Refuses a stream that
    /// inflates to any other size than recorded.
    public func inflate() throws -> [UInt8] {
        try Zlib.decompress(compressed, expectedSize: delta?.instructionsSize ?? size)
    }

    /// Marks a delta value in the type byte.
    static let deltaFlag: UInt8 = 0x80

    /// The stored value. Whole: `[type][varint size][zlib(body)]`. Delta:
    /// `[0x80 | type][varint size][varint depth][varint instructions size][base id][zlib(instructions)]`.
    func encoded() -> [UInt8] {
        var value: [UInt8] = [type.rawValue | (delta == nil ? 0 : Self.deltaFlag)]
        value.reserveCapacity(compressed.count + 48)
        KeyCoding.appendVarint(size, to: &value)
        if let delta {
            KeyCoding.appendVarint(delta.depth, to: &value)
            KeyCoding.appendVarint(delta.instructionsSize, to: &value)
            delta.base.appendBytes(to: &value)
        }
        value.append(contentsOf: compressed)
        return value
    }

    /// Decodes a stored value written by `encoded()`.
    init(id: ObjectID, decoding value: [UInt8]) throws {
        func corrupt(_ reason: String) -> StorageError { .corruptValue(key: "object \(id)", reason: reason) }
        guard let first = value.first, let type = ObjectType(rawValue: first & ~Self.deltaFlag) else {
            throw corrupt("unknown type byte")
        }
        var offset = 1
        guard let size = KeyCoding.readVarint(value, at: &offset) else { throw corrupt("truncated size") }
        var delta: DeltaReference?
        if first & Self.deltaFlag != 0 {
            guard let depth = KeyCoding.readVarint(value, at: &offset),
                  let instructionsSize = KeyCoding.readVarint(value, at: &offset),
                  offset + ObjectID.byteCount <= value.count else {
                throw corrupt("truncated delta header")
            }
            let base = ObjectID(bytes: value[offset..<(offset + ObjectID.byteCount)])
            offset += ObjectID.byteCount
            delta = DeltaReference(base: base, depth: depth, instructionsSize: instructionsSize)
        }
        self.init(id: id, type: type, size: size, compressed: Array(value[offset...]), delta: delta)
    }
}
