import GutsGit
import Synchronization

/// Each repository's refs (`refs/...`, not HEAD) as last read, kept in memory: content
/// routes and fetches list them on every request, and only `RefStore.transaction`
/// changes them. A listing read while a transaction ran is dropped, not kept (the
/// generation check), so the cache never holds what the store no longer says.
///
/// Repositories whose refs outnumber `maxRefs` are not cached. A deleted repository's
/// entry is never read again (ids are not reused) and goes with the process.
final class RefListingCache: Sendable {
    typealias Listing = [(name: String, id: ObjectID)]

    private struct Entry {
        var generation: UInt64 = 0
        var listing: Listing?
    }

    private let entries = Mutex<[UInt64: Entry]>([:])
    static let maxRefs = 20_000

    func listing(_ repositoryID: UInt64) -> Listing? {
        entries.withLock { $0[repositoryID]?.listing }
    }

    /// The generation to pass to `store` after reading the store.
    func generation(_ repositoryID: UInt64) -> UInt64 {
        entries.withLock { $0[repositoryID]?.generation ?? 0 }
    }

    func store(_ listing: Listing, for repositoryID: UInt64, readAt generation: UInt64) {
        guard listing.count <= Self.maxRefs else { return }
        entries.withLock { entries in
            if (entries[repositoryID]?.generation ?? 0) == generation { entries[repositoryID, default: Entry()].listing = listing }
        }
    }

    /// The id of `name` in a listing sorted as the store sorts keys (bytewise).
    static func find(_ name: String, in listing: Listing) -> ObjectID? {
        let target = Array(name.utf8)
        var low = 0
        var high = listing.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = listing[middle].name.utf8
            if candidate.elementsEqual(target) { return listing[middle].id }
            if candidate.lexicographicallyPrecedes(target) { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Called after every write of the repository's refs.
    func invalidate(_ repositoryID: UInt64) {
        entries.withLock { entries in
            entries[repositoryID, default: Entry()].generation += 1
            entries[repositoryID]?.listing = nil
        }
    }
}
