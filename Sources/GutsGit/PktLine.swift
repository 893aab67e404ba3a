/// git's pkt-line framing: four hex digits of length (including themselves), then data.
///
/// `0000` is a flush packet, `0001` a delimiter (protocol v2) and `0002` a
/// response-end; lengths 1...3 are otherwise invalid. The largest packet is 65520 bytes.
public enum PktLine {
    public static let maxPacketLength = 65520
    /// The largest payload one side-band packet carries: the packet minus 4 length bytes and 1 band byte.
    public static let maxSideBandPayload = maxPacketLength - 5

    public static let flush: [UInt8] = Array("0000".utf8)
    public static let delimiter: [UInt8] = Array("0001".utf8)
    public static let responseEnd: [UInt8] = Array("0002".utf8)

    /// Frames `payload` as one data packet; a payload that does not fit in one packet
    /// (more than 65516 bytes) is refused, never truncated.
    public static func encode<Bytes: Collection>(_ payload: Bytes) throws(PktLineError) -> [UInt8] where Bytes.Element == UInt8 {
        guard payload.count + 4 <= maxPacketLength else {
            throw PktLineError(message: "a payload of \(payload.count) bytes does not fit in one packet")
        }
        var out = lengthPrefix(payload.count + 4)
        out.append(contentsOf: payload)
        return out
    }

    /// Frames a text line, adding the trailing newline git expects.
    public static func encode(line: String) throws(PktLineError) -> [UInt8] {
        try encode(Array(line.utf8) + [UInt8(ascii: "\n")])
    }

    /// Frames `payload` on a side-band channel (1 data, 2 progress, 3 error), splitting as needed.
    public static func encodeSideBand<Bytes: Collection>(_ payload: Bytes, band: UInt8, maxPayload: Int = maxSideBandPayload) -> [UInt8]
    where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(payload.count + (payload.count / maxPayload + 1) * 5)
        var start = payload.startIndex
        repeat {
            let end = payload.index(start, offsetBy: maxPayload, limitedBy: payload.endIndex) ?? payload.endIndex
            out.append(contentsOf: lengthPrefix(payload.distance(from: start, to: end) + 5))
            out.append(band)
            out.append(contentsOf: payload[start..<end])
            start = end
        } while start != payload.endIndex
        return out
    }

    static func lengthPrefix(_ length: Int) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return [12, 8, 4, 0].map { digits[(length >> $0) & 0xf] }
    }
}

/// One decoded pkt-line.
public enum Packet: Equatable, Sendable {
    case data([UInt8])
    case flush
    case delimiter
    case responseEnd

    /// The payload as text with one trailing newline removed; nil for special packets.
    public var text: String? {
        guard case .data(var bytes) = self else { return nil }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A malformed pkt-line stream.
public struct PktLineError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { "invalid pkt-line: \(message)" }
}

/// Reads packets from a byte buffer, tracking how far it has consumed.
public struct PktLineReader: Sendable {
    public private(set) var buffer: [UInt8]
    public private(set) var position: Int = 0

    public init(_ buffer: [UInt8]) {
        self.buffer = buffer
    }

    /// Bytes after the last packet read (a pack following the commands of a push).
    public var remainder: ArraySlice<UInt8> { buffer[position...] }

    public var isAtEnd: Bool { position >= buffer.count }

    /// The next packet, nil at the end of the buffer; throws on a bad or truncated packet.
    public mutating func next() throws(PktLineError) -> Packet? {
        guard !isAtEnd else { return nil }
        guard let length = try Self.packetLength(buffer[position...]) else {
            guard buffer.count - position >= 4 else { throw PktLineError(message: "truncated length at byte \(position)") }
            throw PktLineError(message: "packet truncated at byte \(position)")
        }
        defer { position += length }
        switch length {
        case 4 where buffer[position..<position + 4].elementsEqual("0000".utf8): return .flush
        case 4 where buffer[position..<position + 4].elementsEqual("0001".utf8): return .delimiter
        case 4 where buffer[position..<position + 4].elementsEqual("0002".utf8): return .responseEnd
        default: return .data(Array(buffer[(position + 4)..<(position + length)]))
        }
    }

    /// The number of bytes the packet at the start of `bytes` takes (4 for the special
    /// packets), or nil when `bytes` holds only part of it; throws when its length is malformed.
    public static func packetLength(_ bytes: ArraySlice<UInt8>) throws(PktLineError) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var length = 0
        for byte in bytes.prefix(4) {
            guard let nibble = ObjectID.nibble(byte) else {
                throw PktLineError(message: "bad length digits at byte \(bytes.startIndex)")
            }
            length = length << 4 | Int(nibble)
        }
        switch length {
        case 0, 1, 2: return 4
        case 3: throw PktLineError(message: "reserved length 3 at byte \(bytes.startIndex)")
        case ...PktLine.maxPacketLength: return bytes.count >= length ? length : nil
        default: throw PktLineError(message: "length \(length) exceeds 65520 at byte \(bytes.startIndex)")
        }
    }

    /// Reads data packets as text lines up to (and consuming) the next flush or delimiter.
    public mutating func readSection() throws(PktLineError) -> (lines: [String], terminator: Packet?) {
        var lines = [String]()
        while let packet = try next() {
            guard let text = packet.text else { return (lines, packet) }
            lines.append(text)
        }
        return (lines, nil)
    }
}
