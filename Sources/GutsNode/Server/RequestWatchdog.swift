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
        let body: RequestBodyProgress?
        let bodyIdleNanoseconds: UInt64
    }

    /// Why the watchdog cancelled a request.
    enum Expiry: Sendable {
        /// The whole request ran past its deadline.
        case deadline
        /// Its body sent no byte for the idle limit.
        case bodyIdle
    }

    private struct State: ~Copyable {
        var nextID: UInt64 = 0
        var watched: [UInt64: Watched] = [:]
        var expired: [UInt64: Expiry] = [:]
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

    /// Runs `body`, cancelling the current task if it is still running at `deadline`, or
    /// once `requestBody` has waited `bodyIdle` for a byte. Returns what `body` returned or
    /// threw, and why the watchdog cancelled it, if it did.
    func run<T>(until deadline: ContinuousClock.Instant, requestBody: RequestBodyProgress?, bodyIdle: Duration?,
                _ body: () async throws -> T) async -> (result: Result<T, any Error>, expired: Expiry?) {
        let idleNanoseconds = bodyIdle.map { UInt64($0.components.seconds) * 1_000_000_000 + UInt64($0.components.attoseconds / 1_000_000_000) } ?? 0
        let id = withUnsafeCurrentTask { task -> UInt64? in
            guard let task else { return nil }
            return state.withLock { state in
                state.nextID += 1
                state.watched[state.nextID] = Watched(
                    deadline: deadline, task: task, body: idleNanoseconds > 0 ? requestBody : nil, bodyIdleNanoseconds: idleNanoseconds)
                return state.nextID
            }
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        guard let id else { return (result, nil) }
        let expired = state.withLock { state in
            state.watched.removeValue(forKey: id) == nil ? state.expired.removeValue(forKey: id) : nil
        }
        return (result, expired)
    }

    private func cancelExpired() {
        let now = ContinuousClock.now
        state.withLock { state in
            for (id, watched) in state.watched {
                let expiry: Expiry?
                if watched.deadline <= now {
                    expiry = .deadline
                } else if let body = watched.body, body.idleNanoseconds >= watched.bodyIdleNanoseconds {
                    expiry = .bodyIdle
                } else {
                    expiry = nil
                }
                guard let expiry else { continue }
                watched.task.cancel()
                state.watched[id] = nil
                state.expired[id] = expiry
            }
        }
    }
}
