import HTTPTypes
import Hummingbird

/// How long a response a handler made for an anonymous caller stays what the next
/// anonymous caller of the same request target would get, so that `ResponseCache` may
/// answer it from memory.
///
/// Every policy also ends when the repository registry changes (a repository created,
/// deleted, renamed, made private or given another default branch): the cache compares
/// the registry's generation as it was when the request's head arrived, before the
/// handler looked anything up, so a change that races the handler leaves the entry
/// stale from birth rather than serving what the change hid.
///
/// The handler hands its policy to the cache in an internal response header
/// (`x-guts-cache`), which the cache always strips before the response leaves.
enum ResponseCachePolicy: Equatable, Sendable {
    /// Until the registry changes (the repository list).
    case untilRegistryChanges
    /// Until one repository's refs change from the generation the handler read them at
    /// (content named through refs, or by commit ids whose reachability refs decide).
    case untilRefsChange(repositoryID: UInt64, generation: UInt64)
    /// For a fixed time (a report with a clock in it).
    case forDuration(milliseconds: Int)

    static let headerName = HTTPField.Name("x-guts-cache")!  // safe: a constant, valid header name
    /// The route template the response was made under, for the cache's metrics; set by
    /// `RequestObservationMiddleware` beside a policy.
    static let routeHeaderName = HTTPField.Name("x-guts-cache-route")!  // safe: a constant, valid header name

    var headerValue: String {
        switch self {
        case .untilRegistryChanges: "registry"
        case .untilRefsChange(let repositoryID, let generation): "refs \(repositoryID) \(generation)"
        case .forDuration(let milliseconds): "ms \(milliseconds)"
        }
    }

    init?(headerValue: some StringProtocol) {
        let words = headerValue.split(separator: " ")
        switch (words.first, words.count) {
        case ("registry", 1):
            self = .untilRegistryChanges
        case ("refs", 3):
            guard let repositoryID = UInt64(words[1]), let generation = UInt64(words[2]) else { return nil }
            self = .untilRefsChange(repositoryID: repositoryID, generation: generation)
        case ("ms", 2):
            guard let milliseconds = Int(words[1]), milliseconds > 0 else { return nil }
            self = .forDuration(milliseconds: milliseconds)
        default:
            return nil
        }
    }
}

extension Response {
    /// Marks the response as one `ResponseCache` may keep for anonymous callers under `policy`.
    mutating func allowCaching(_ policy: ResponseCachePolicy) {
        headers[ResponseCachePolicy.headerName] = policy.headerValue
    }
}
