import Synchronization

/// A shareable mutex: serializes read-check-write sequences (ref compare-and-swap,
/// repository creation) across all handles of one `Storage`.
final class StorageLock: Sendable {
    private let mutex = Mutex(())

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try mutex.withLock { _ in try body() }
    }
}
