/// A request a git client sent that the server cannot serve, in words git will print.
enum GitProtocolError: Error, CustomStringConvertible {
    case badRequest(String)
    case notOurRef(String)
    case unsupported(String)

    /// Client input quoted in a message: cut to 100 bytes, so an error line always fits
    /// in one pkt-line whatever the client sent.
    static func quote<Text: StringProtocol>(_ text: Text) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count > 100 else { return "'\(text)'" }
        return "'\(String(decoding: bytes.prefix(100), as: UTF8.self))…' (\(bytes.count) bytes)"
    }

    var description: String {
        switch self {
        case .badRequest(let message): "protocol error: \(message)"
        case .notOurRef(let id): "upload-pack: not our ref \(id)"
        case .unsupported(let message): message
        }
    }
}
