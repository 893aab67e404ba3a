import Hummingbird
import Synchronization

/// Whether a handler has begun reading its request body and whether it got to the end,
/// which tells a request timeout on a slow client (408) from one on a slow node (503).
final class RequestBodyProgress: Sendable {
    private enum State: UInt8 { case untouched, reading, complete }

    private let state = Atomic<UInt8>(State.untouched.rawValue)

    /// True between the handler's first read of the body and the body's end.
    var isIncomplete: Bool { state.load(ordering: .acquiring) == State.reading.rawValue }

    /// `request` with its body reporting reads to this tracker.
    func track(_ request: Request) -> Request {
        var tracked = request
        tracked.body = RequestBody(asyncSequence: TrackedBody(base: request.body, progress: self))
        return tracked
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
            let buffer = try await base.next()
            if buffer == nil { progress.ended() }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), progress: progress)
    }
}
