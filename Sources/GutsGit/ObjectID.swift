/// A git object id: the 20-byte SHA-1 of `"<type> <size>\0" + body`.
///
/// Stored as three big-endian words so that `<` orders ids exactly as their
/// bytes (and their hex) sort, which is the order pack indexes and trees use.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 20
    public static let hexLength = 40

    @usableFromInline var high: UInt64
    @usableFromInline var middle: UInt64
    @usableFromInline var low: UInt32

    /// Hashes only the first 8 bytes: they are already uniformly distributed (a SHA-1), and
    /// a push's connectivity sets hash an id per tree entry, tens of millions of them for a
    /// long history. Placing many ids in one bucket would need equal first words, a 2^64
    /// search each, and `Hasher` is seeded per process.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(high)
    }

    /// The first 8 bytes as a number: uniformly distributed, for cheap bucketing.
    public var leadingWord: UInt64 { high }

    /// The id whose bytes are all zero; git uses it for "no object" in ref updates.
    public static let zero = ObjectID(high: 0, middle: 0, low: 0)

    @usableFromInline init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    /// Creates an id from exactly 20 raw bytes.
    public init<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        precondition(bytes.count == Self.byteCount, "object id needs 20 bytes")  // safe: callers pass digests or slices they cut to 20 bytes
        // Ids are read from every stored value and tree entry: load words where the bytes are contiguous.
        if let id = bytes.withContiguousStorageIfAvailable({ Self(raw: UnsafeRawBufferPointer($0)) }) {
            self = id
            return
        }
        var high: UInt64 = 0
        var middle: UInt64 = 0
        var low: UInt32 = 0
        for (offset, byte) in bytes.enumerated() {
            switch offset {
            case 0..<8: high = high << 8 | UInt64(byte)
            case 8..<16: middle = middle << 8 | UInt64(byte)
            default: low = low << 8 | UInt32(byte)  // safe: widening a byte
            }
        }
        self.init(high: high, middle: middle, low: low)
    }

    /// The id in the first 20 bytes of `raw`, which must hold that many.
    @inlinable init(raw: UnsafeRawBufferPointer) {
        self.init(high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                  middle: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                  low: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))  // safe: bigEndian: reinterprets the four loaded bytes, nothing narrows
    }

    /// Parses 40 hex digits (either case); nil for anything else.
    public init?<S: StringProtocol>(hex: S) {
        let utf8 = hex.utf8
        guard utf8.count == Self.hexLength else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.byteCount)
        var pending: UInt8 = 0
        for (index, character) in utf8.enumerated() {
            guard let nibble = Self.nibble(character) else { return nil }
            if index % 2 == 0 {
                pending = nibble << 4
            } else {
                bytes.append(pending | nibble)
            }
        }
        self.init(bytes: bytes)
    }

    /// The 20 raw bytes.
    public var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(Self.byteCount)
        appendBytes(to: &result)
        return result
    }

    /// Appends the 20 raw bytes to `buffer` without an intermediate array.
    public func appendBytes(to buffer: inout [UInt8]) {
        withUnsafeBytes(of: high.bigEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: middle.bigEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// 40 lowercase hex digits.
    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(Self.hexLength)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public var isZero: Bool { self == .zero }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }

    /// Whether `text` is a full 40-digit hex id. Inlinable, so callers get it specialized for
    /// their string type: the generic call was 2% of a cached raw request.
    @inlinable
    public static func isHex<S: StringProtocol>(_ text: S) -> Bool {
        text.utf8.count == hexLength && text.utf8.allSatisfy { nibble($0) != nil }
    }

    @inline(__always) @usableFromInline
    static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
