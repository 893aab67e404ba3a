/// Runs the pushes of one repository one at a time, without holding a thread while waiting.
///
/// A push stores its objects before its refs move and removes them again when it is
/// refused. Another push to the same repository must not meanwhile find those objects,
/// skip storing its own copies or store deltas against them, and then lose them to the
/// rollback; so the store-check-update of a push is exclusive per repository. Pushes
/// to different repositories, and all fetches, run in parallel.
actor PushSerializer {
    private var busy = Set<UInt64>()
    private var waiters: [UInt64: [CheckedContinuation<Void, Never>]] = [:]

    func run<T: Sendable>(repository: UInt64, _ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire(repository)
        defer { release(repository) }
        return try await body()
    }

    private func acquire(_ repository: UInt64) async {
        guard busy.insert(repository).inserted else {
            await withCheckedContinuation { waiters[repository, default: []].append($0) }
            return
        }
    }

    /// Hands the repository to the next waiter, or frees it.
    private func release(_ repository: UInt64) {
        if var queue = waiters[repository], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[repository] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            busy.remove(repository)
        }
    }
}
