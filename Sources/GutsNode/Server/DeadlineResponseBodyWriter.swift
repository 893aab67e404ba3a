import HTTPTypes
import Hummingbird

/// Ends a streamed response body at the request's deadline: the first write after it
/// throws `RequestTimeoutError`, Hummingbird then closes the connection mid-body, and
/// the client sees a truncated response (git: "transfer closed with outstanding read
/// data remaining"). The status has already gone out, so this is the only signal left.
///
/// The deadline is checked when a write starts. A write already waiting for a slow
/// client to take bytes is not interrupted (the idle timeout closes a client that takes
/// none), and a producer that goes quiet, such as a pack still being planned, is cut
/// at its next write.
struct DeadlineResponseBodyWriter: ResponseBodyWriter {
    private var base: any ResponseBodyWriter
    private let deadline: ContinuousClock.Instant
    private let timeout: RequestTimeoutError
    /// Told once, when the deadline first stops a write.
    private let onExpiry: @Sendable (RequestTimeoutError) -> Void
    private var expired = false

    init(base: any ResponseBodyWriter, deadline: ContinuousClock.Instant, seconds: Int,
         onExpiry: @escaping @Sendable (RequestTimeoutError) -> Void) {
        self.base = base
        self.deadline = deadline
        self.timeout = RequestTimeoutError(seconds: seconds, phase: .responseBody)
        self.onExpiry = onExpiry
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        try checkDeadline()
        try await base.write(buffer)
    }

    mutating func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
        try checkDeadline()
        try await base.write(contentsOf: buffers)
    }

    /// Not checked: a body whose bytes all went out in time is complete.
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await base.finish(trailingHeaders)
    }

    private mutating func checkDeadline() throws(RequestTimeoutError) {
        guard ContinuousClock.now >= deadline else { return }
        if !expired {
            expired = true
            onExpiry(timeout)
        }
        throw timeout
    }
}
