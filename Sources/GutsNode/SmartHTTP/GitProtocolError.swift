/// A request a git client sent that the server cannot serve, in words git will print.
enum GitProtocolError: Error, CustomStringConvertible {
    case badRequest(String)
    case notOurRef(String)
    case unsupported(String)

    var description: String {
        switch self {
        case .badRequest(let message): "protocol error: \(message)"
        case .notOurRef(let id): "upload-pack: not our ref \(id)"
        case .unsupported(let message): message
        }
    }
}
