import Foundation

/// git's pkt-line framing, built and read byte for byte by the tests themselves.
enum PktLines {
    static let flush = Data("0000".utf8)
    static let delimiter = Data("0001".utf8)

    /// One data packet: four lowercase hex digits of payload length plus 4, then the payload.
    static func packet(_ payload: [UInt8]) -> Data {
        Data(String(format: "%04x", payload.count + 4).utf8) + Data(payload)
    }

    /// A text line with git's trailing newline.
    static func line(_ text: String) -> Data {
        packet(Array(text.utf8) + [0x0a])
    }

    /// The payloads of the data packets of `data`, special packets left out; nil when the framing is broken.
    static func payloads(_ data: Data) -> [[UInt8]]? {
        let bytes = [UInt8](data)
        var position = 0
        var out = [[UInt8]]()
        while position < bytes.count {
            guard bytes.count - position >= 4, let length = Int(String(decoding: bytes[position..<position + 4], as: UTF8.self), radix: 16) else { return nil }
            if length < 4 {
                position += 4
                continue
            }
            guard bytes.count - position >= length else { return nil }
            out.append(Array(bytes[position + 4..<position + length]))
            position += length
        }
        return out
    }

    /// The data packets as text, one trailing newline removed from each.
    static func lines(_ data: Data) -> [String] {
        (payloads(data) ?? []).map { payload in
            String(decoding: payload.last == 0x0a ? payload.dropLast() : payload[...], as: UTF8.self)
        }
    }
}
