import Synchronization

/// Lets one task sleep until another has news or a timeout passes. A signal sent while
/// nobody waits is kept, so the next wait returns at once and no wake-up is lost.
///
/// A timeout or a cancellation ends only the wait it belongs to (by its number) and never
/// counts as news: so a real signal that lands just after a timeout is kept for the next
/// wait instead of being cleared with the timeout's.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        /// The number of the latest wait, and the latest one that timed out before it slept.
        var currentWait = 0
        var expiredWait = 0
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns on a signal, after `seconds`, or when the calling task is cancelled.
    func wait(seconds: Double) async {
        let number = state.withLock { state -> Int in
            state.currentWait += 1
            return state.currentWait
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                if !Task.isCancelled { expire(number) }
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.pending || state.expiredWait == number {
                            state.pending = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: { [self] in
                expire(number)
            }
            group.cancelAll()
        }
    }

    /// Ends wait `number` if it is still the current one: wakes it, or, when it has not
    /// gone to sleep yet, marks it so that it does not.
    private func expire(_ number: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.currentWait == number else { return nil }
            guard let waiter = state.waiter else {
                state.expiredWait = number
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }
}
