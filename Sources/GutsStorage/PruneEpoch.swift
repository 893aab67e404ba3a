import Synchronization

/// Counts the times `prune` deleted objects, so that a push can tell whether objects it
/// found in the repository may have gone since.
///
/// A push takes the epoch when its quarantine opens, before it relies on any object the
/// repository holds (a thin pack's bases, the connectivity check's stop points). Prune
/// deletes under the storage-wide ref lock and bumps the epoch there; a ref transaction
/// given an older epoch is refused (`StorageError.objectsPruned`), so no ref can come to
/// point at history a prune removed while the push was in flight. This plays the part of
/// git's object freshening (`git gc` touching objects a push is about to reference).
public final class PruneEpoch: Sendable {
    private let value = Mutex<UInt64>(0)

    public init() {}

    /// The epoch now.
    public var current: UInt64 { value.withLock { $0 } }

    /// Marks that objects were deleted; call while holding the ref lock.
    func advance() {
        value.withLock { $0 &+= 1 }
    }
}
