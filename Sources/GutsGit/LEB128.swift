/// Unsigned LEB128 varints (7 bits a byte, low group first, high bit set on all but the
/// last), as stored values and commit-graph entries encode their numbers.
public enum LEB128 {
    public static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        var remaining = value
        while remaining >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        buffer.append(UInt8(truncatingIfNeeded: remaining))
    }

    /// The varint at `offset`, advancing it; nil if truncated or longer than 64 bits.
    public static func read(_ bytes: [UInt8], at offset: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        return nil
    }
}
