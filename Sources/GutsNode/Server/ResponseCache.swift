import GutsGit
import GutsStorage
import HTTPTypes
import NIOCore
import Synchronization

/// Whole responses to anonymous `GET`s, by request target, for `ResponseCacheHandler` to
/// answer on the event loop without entering the router.
///
/// Only responses their handler marked (`Response.allowCaching`) are kept, only when they
/// were made for a request that carried no credentials, no cookie and no conditional or
/// range header (`isEligible`), so an entry is exactly what any such caller of that
/// target gets. Each entry holds until its `ResponseCachePolicy` says otherwise; every
/// lookup checks that against the storage's generations, so nothing is ever served after
/// the change that made it stale (ref writes, HEAD, the registry).
///
/// Cluster nodes have none: their refs come from etcd, not from the local store.
final class ResponseCache: Sendable {
    struct Entry: Sendable {
        let target: String
        let policy: ResponseCachePolicy
        /// The registry's generation when the request that made it arrived.
        let registryGeneration: UInt64
        let expires: ContinuousClock.Instant?
        /// The route template, for metrics.
        let route: String
        /// Without `Date` and `x-request-id`, which each answer gets anew.
        let head: HTTPResponse
        let body: ByteBuffer
    }

    /// Responses over this size are not kept.
    static let maxBodyBytes = 256 << 10

    private let storage: Storage
    private let entries: BoundedCache<Entry>
    private let lookups = Atomic<UInt64>(0)
    private let hits = Atomic<UInt64>(0)

    init(storage: Storage, maxEntries: Int = 10_000, maxBytes: Int = 32 << 20) {
        self.storage = storage
        entries = BoundedCache(maxEntries: maxEntries, maxBytes: maxBytes, name: "anonymous-responses")
    }

    /// Whether the answer to `request` may come from, or go into, the cache.
    static func isEligible(_ request: HTTPRequest) -> Bool {
        guard request.method == .get, let path = request.path, path.utf8.count <= 2048 else { return false }
        for field in request.headerFields {
            switch field.name {
            case .authorization, .cookie, .range, .ifRange, .ifNoneMatch, .ifMatch, .ifModifiedSince, .ifUnmodifiedSince,
                 .contentLength, .transferEncoding, .expect:
                return false
            case .connection where field.value.lowercased() != "keep-alive":
                return false
            default:
                continue
            }
        }
        return true
    }

    var registryGeneration: UInt64 { storage.repositories.generation }

    /// The entry for `target`, if it is still what a handler would answer.
    func lookup(_ target: String, now: ContinuousClock.Instant = .now) -> Entry? {
        lookups.add(1, ordering: .relaxed)
        guard let entry = entries.get(Self.key(target)), entry.target == target, isCurrent(entry, now: now) else { return nil }
        hits.add(1, ordering: .relaxed)
        return entry
    }

    func store(_ entry: Entry) {
        guard entry.body.readableBytes <= Self.maxBodyBytes else { return }
        entries.insert(Self.key(entry.target), entry, cost: entry.body.readableBytes + entry.target.utf8.count + 256)
    }

    /// Counters for `cache-stats` and `/metrics`: a stale entry found counts as a miss.
    var statistics: CacheStatistics {
        var statistics = entries.statistics
        let (lookups, hits) = (lookups.load(ordering: .relaxed), hits.load(ordering: .relaxed))
        statistics.hits = hits
        statistics.misses = lookups - hits
        return statistics
    }

    private func isCurrent(_ entry: Entry, now: ContinuousClock.Instant) -> Bool {
        guard entry.registryGeneration == registryGeneration else { return false }
        if let expires = entry.expires, now >= expires { return false }
        if case .untilRefsChange(let repositoryID, let generation) = entry.policy {
            return storage.refGeneration(of: repositoryID) == generation
        }
        return true
    }

    private static func key(_ target: String) -> ObjectCacheKey {
        var hasher = SHA1()
        hasher.update(target.utf8)
        return ObjectCacheKey(repository: 0, id: hasher.finalize())
    }
}
