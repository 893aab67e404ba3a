import GutsGit

/// Byte-level helpers for the key layout and value encodings.
///
/// Key layout (all families namespaced so one repository can never read another's data):
/// - objects:  `<repository id, 8 bytes big-endian><20-byte object id>`
/// - refs:     `<repository id, 8 bytes big-endian><ref name UTF-8>`; HEAD is `<id>HEAD`
/// - metadata: `repo/name/<owner/name>` → id (8 bytes BE), `repo/id/<id BE 8>` → JSON record,
///             `counter/repo` → last issued id (8 bytes BE), `schema/version` → version (8 bytes BE)
///
/// Big-endian ids make one repository's keys a contiguous range, so a prefix scan or
/// a range delete covers exactly that repository.
enum KeyCoding {
    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) }
    }

    static func decodeBigEndian<Bytes: Collection>(_ bytes: Bytes) -> UInt64? where Bytes.Element == UInt8 {
        guard bytes.count == 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The smallest key greater than every key starting with `prefix`; nil when none exists.
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8]? {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return nil
    }

    static func appendVarint(_ value: Int, to buffer: inout [UInt8]) {
        LEB128.append(UInt64(truncatingIfNeeded: value), to: &buffer)
    }

    /// Reads a LEB128 varint at `offset`, advancing it; nil if truncated or too long for an `Int`.
    static func readVarint(_ bytes: [UInt8], at offset: inout Int) -> Int? {
        guard let value = LEB128.read(bytes, at: &offset), value <= UInt64(Int.max) else { return nil }
        return Int(value)
    }

    static func lessThan(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.lexicographicallyPrecedes(rhs)
    }
}
