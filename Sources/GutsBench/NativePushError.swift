/// Why a `NativePushClient` push failed; each case reads as one line.
public enum NativePushError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The server answered `path` with a non-2xx status.
    case httpStatus(Int, path: String)
    /// The server answered with a content type git does not expect.
    case unexpectedContentType(String, path: String)
    /// The ref advertisement could not be parsed.
    case malformedAdvertisement(String)
    /// The server sent an `ERR` packet or an error on side-band 3.
    case remoteError(String)
    /// The server did not accept the pack (`unpack <reason>`).
    case unpackFailed(String)
    /// The server refused the ref update (`ng <ref> <reason>`).
    case rejected(ref: String, reason: String)
    /// The report-status answer is missing or cannot be parsed.
    case malformedReport(String)

    public var description: String {
        switch self {
        case .httpStatus(let status, let path): "HTTP \(status) from \(path)"
        case .unexpectedContentType(let type, let path): "unexpected content type '\(type)' from \(path)"
        case .malformedAdvertisement(let reason): "malformed ref advertisement: \(reason)"
        case .remoteError(let message): "remote error: \(message)"
        case .unpackFailed(let reason): "the server did not unpack the pack: \(reason)"
        case .rejected(let ref, let reason): "the server rejected \(ref): \(reason)"
        case .malformedReport(let reason): "malformed push report: \(reason)"
        }
    }
}
