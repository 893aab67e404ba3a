/// Encoding of pack entry headers (pack-format, "Object entries").
///
/// An entry starts with its kind and inflated size: the first byte holds a
/// continuation bit, three bits of kind and the low four bits of size; each following
/// byte adds seven more size bits, least significant first. An OFS_DELTA then names
/// its base by a backwards distance in a big-endian base-128 form where every
/// continuation adds one (so each length has its own range); a REF_DELTA by a 20-byte id.
enum PackEntryHeader {
    /// Entry kinds as numbered in the header; 5 is reserved.
    static let offsetDelta: UInt8 = 6
    static let refDelta: UInt8 = 7

    static func appendKindAndSize(kind: UInt8, size: Int, to out: inout [UInt8]) {
        var rest = size >> 4
        var byte = kind << 4 | UInt8(size & 0x0f)  // safe: masked to 4 bits
        while rest > 0 {
            out.append(byte | 0x80)
            byte = UInt8(rest & 0x7f)  // safe: masked to 7 bits
            rest >>= 7
        }
        out.append(byte)
    }

    static func appendOffsetDistance(_ distance: Int, to out: inout [UInt8]) {
        precondition(distance > 0)  // safe: offsets come from the writer, bases are always written first
        var bytes: [UInt8] = [UInt8(distance & 0x7f)]  // safe: masked to 7 bits
        var rest = distance >> 7
        while rest > 0 {
            rest -= 1
            bytes.append(0x80 | UInt8(rest & 0x7f))  // safe: masked to 7 bits
            rest >>= 7
        }
        out.append(contentsOf: bytes.reversed())
    }
}
