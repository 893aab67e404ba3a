import Dispatch
import Hummingbird
import Synchronization

/// Whether a handler has begun reading its request body, whether it got to the end, and
/// when a byte last arrived: which tells a request timeout on a slow client (408) from one
/// on a slow node (503), and finds a body that has gone idle.
final class RequestBodyProgress: Sendable {
    private enum State: UInt8 { case untouched, reading, complete }

    private let state = Atomic<UInt8>(State.untouched.rawValue)
    /// `DispatchTime` uptime, in nanoseconds, when the handler began waiting for the next
    /// body bytes; 0 while it is not waiting (time the handler spends on what it read is not
    /// the client's idleness).
    private let waitingSince = Atomic<UInt64>(0)

    /// True between the handler's first read of the body and the body's end.
    var isIncomplete: Bool { state.load(ordering: .acquiring) == State.reading.rawValue }

    /// How long the handler has been waiting for body bytes that do not come; zero when it is not waiting.
    var idleNanoseconds: UInt64 {
        let since = waitingSince.load(ordering: .relaxed)
        guard since > 0 else { return 0 }
        let now = DispatchTime.now().uptimeNanoseconds
        return now > since ? now - since : 0
    }

    /// `request` with its body reporting reads to this tracker.
    func track(_ request: Request) -> Request {
        var tracked = request
        tracked.body = RequestBody(asyncSequence: TrackedBody(base: request.body, progress: self))
        return tracked
    }

    fileprivate func waiting(_ isWaiting: Bool) {
        waitingSince.store(isWaiting ? DispatchTime.now().uptimeNanoseconds : 0, ordering: .relaxed)
    }

    fileprivate func began() {
        _ = state.compareExchange(expected: State.untouched.rawValue, desired: State.reading.rawValue, ordering: .releasing)
    }

    fileprivate func ended() {
        state.store(State.complete.rawValue, ordering: .releasing)
    }
}

private struct TrackedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    let progress: RequestBodyProgress

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let progress: RequestBodyProgress

        mutating func next() async throws -> ByteBuffer? {
            progress.began()
            progress.waiting(true)
            defer { progress.waiting(false) }
            let buffer = try await base.next()
            if buffer == nil { progress.ended() }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), progress: progress)
    }
}
