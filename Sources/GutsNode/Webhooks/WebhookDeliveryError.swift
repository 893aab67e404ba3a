/// Why a delivery got no successful answer, in words for the delivery log.
enum WebhookDeliveryError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The URL is not an absolute http(s) URL with a host.
    case invalidURL(String)
    case unresolvable(String)
    /// The address policy refused every address of the host.
    case refused(String)
    case timedOut(seconds: Int)
    case transport(String)

    var description: String {
        switch self {
        case .invalidURL(let url): "invalid webhook URL '\(url.prefix(200))': use an absolute http:// or https:// URL"
        case .unresolvable(let host): "cannot resolve \(host.prefix(200))"
        case .refused(let reason): "refused: \(reason)"
        case .timedOut(let seconds): "no answer within \(seconds) s"
        case .transport(let message): message
        }
    }

    /// Retrying cannot help: the hook's settings must change first.
    var isPermanent: Bool {
        switch self {
        case .invalidURL, .refused: true
        case .unresolvable, .timedOut, .transport: false
        }
    }
}
