import Synchronization

/// Cancels the tasks of requests that run past their deadline.
///
/// One sweeper task checks every in-flight request each `tick`, so a request costs a
/// lock to register and one to leave rather than a timer of its own (racing each handler
/// against a sleep in a task group cost 10–15% of the node's request rate). Deadlines
/// are honoured to within a tick. Whatever task calls `run` is cancelled, so callers
/// run it in a task of its own.
///
/// The sweeper holds each request's `UnsafeCurrentTask`. That is sound because both the
/// sweeper's `cancel()` and the request's unregistering happen under the same lock, and
/// a request unregisters before its task can end: the reference is never used after.
final class RequestWatchdog: Sendable {
    /// Unchecked: see the type's comment for why the task reference stays valid.
    private struct Watched: @unchecked Sendable {
        let deadline: ContinuousClock.Instant
        let task: UnsafeCurrentTask
    }

    private struct State: ~Copyable {
        var nextID: UInt64 = 0
        var watched: [UInt64: Watched] = [:]
    }

    private let state = Mutex(State())

    init(tick: Duration = .milliseconds(250)) {
        Task.detached { [weak self] in
            while true {
                try? await Task.sleep(for: tick)
                guard let self else { return }
                self.cancelExpired()
            }
        }
    }

    /// Runs `body`, cancelling the current task if it is still running at `deadline`.
    /// Returns what `body` returned or threw, and whether the deadline cancelled it.
    func run<T>(until deadline: ContinuousClock.Instant, _ body: () async throws -> T) async -> (result: Result<T, any Error>, expired: Bool) {
        let id = withUnsafeCurrentTask { task -> UInt64? in
            guard let task else { return nil }
            return state.withLock { state in
                state.nextID += 1
                state.watched[state.nextID] = Watched(deadline: deadline, task: task)
                return state.nextID
            }
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        guard let id else { return (result, false) }
        let expired = state.withLock { $0.watched.removeValue(forKey: id) == nil }
        return (result, expired)
    }

    private func cancelExpired() {
        let now = ContinuousClock.now
        state.withLock { state in
            for (id, watched) in state.watched where watched.deadline <= now {
                watched.task.cancel()
                state.watched[id] = nil
            }
        }
    }
}
