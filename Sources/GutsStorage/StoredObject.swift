import GutsGit

/// An object as stored: its type, inflated size and the zlib stream of its body.
///
/// The compressed bytes are exactly what a pack entry carries after its header, so
/// a pack writer can copy them without recompressing.
public struct StoredObject: Sendable, Equatable {
    public var id: ObjectID
    public var type: ObjectType
    /// Inflated body size in bytes.
    public var size: Int
    /// zlib stream of the body.
    public var compressed: [UInt8]

    public init(id: ObjectID, type: ObjectType, size: Int, compressed: [UInt8]) {
        self.id = id
        self.type = type
        self.size = size
        self.compressed = compressed
    }

    /// The inflated body; refuses a stream that inflates to anything but `size` bytes.
    public func body() throws -> [UInt8] {
        try Zlib.decompress(compressed, expectedSize: size)
    }

    /// The stored value: `[type byte][varint inflated size][zlib(body)]`.
    func encoded() -> [UInt8] {
        var value: [UInt8] = [type.rawValue]
        value.reserveCapacity(compressed.count + 11)
        KeyCoding.appendVarint(size, to: &value)
        value.append(contentsOf: compressed)
        return value
    }

    /// Decodes a stored value written by `encoded()`.
    init(id: ObjectID, decoding value: [UInt8]) throws {
        guard let first = value.first, let type = ObjectType(rawValue: first) else {
            throw StorageError.corruptValue(key: "object \(id)", reason: "unknown type byte")
        }
        var offset = 1
        guard let size = KeyCoding.readVarint(value, at: &offset) else {
            throw StorageError.corruptValue(key: "object \(id)", reason: "truncated size")
        }
        self.init(id: id, type: type, size: size, compressed: Array(value[offset...]))
    }
}
