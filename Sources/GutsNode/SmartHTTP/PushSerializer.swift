/// Runs the pushes of one repository one at a time, without holding a thread while waiting.
///
/// A push checks every old id against the refs before it admits its objects and moves
/// the refs; running one push of a repository at a time makes that check and the
/// compare-and-swap one step, so a push the check passed is not refused afterwards with
/// its objects already admitted, and two first pushes to a new name create it once.
/// Pushes are keyed by the repository name they came in on. Pushes to different
/// repositories, and all fetches, run in parallel.
actor PushSerializer {
    private var busy = Set<String>()
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

    func run<T: Sendable>(repository: String, _ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire(repository)
        defer { release(repository) }
        return try await body()
    }

    private func acquire(_ repository: String) async {
        guard busy.insert(repository).inserted else {
            await withCheckedContinuation { waiters[repository, default: []].append($0) }
            return
        }
    }

    /// Hands the repository to the next waiter, or frees it.
    private func release(_ repository: String) {
        if var queue = waiters[repository], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[repository] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            busy.remove(repository)
        }
    }
}
