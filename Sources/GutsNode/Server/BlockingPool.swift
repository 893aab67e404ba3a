import NIOCore
import NIOPosix

/// Runs storage, zlib and SHA-1 work off the event loops, on NIO's blocking thread pool.
enum BlockingPool {
    /// Throws `CancellationError` instead of starting `body` once the calling task is
    /// cancelled (by a request timeout, say); a `body` already running runs to its end.
    static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    /// Runs `body` whether or not the calling task is cancelled: for what must happen
    /// whatever becomes of the request, such as stopping a process-wide sampler.
    static func runEvenIfCancelled<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(eventLoop: NIOSingletons.posixEventLoopGroup.any(), body).get()
    }
}
