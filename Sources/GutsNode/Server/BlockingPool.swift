import HTTPTypes
import NIOCore
import NIOPosix
import Synchronization

/// Runs storage, zlib and SHA-1 work off the event loops, on a thread pool of the node's
/// own with a bounded queue.
///
/// A request's first step is admitted only while fewer than `queueLimit` jobs wait for a
/// thread; past that it is refused at once with 503 and `Retry-After`, instead of waiting
/// behind work it cannot see, and `/health/ready` reports the pool saturated. Steps of a
/// request already under way (the next chunk of a pack being streamed, a spool write) go
/// through `runAdmitted` and are never refused.
///
/// Cancellation: a task cancelled (by a request timeout, say) before its job starts gets
/// `CancellationError` and the job never runs; a job already running runs to its end.
final class BlockingPool: Sendable {
    let threads: Int
    let queueLimit: Int
    private let pool: NIOThreadPool
    /// Jobs submitted and not yet finished: running ones plus queued ones.
    private let pending = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)

    init(threads: Int, queueLimit: Int) {
        self.threads = threads
        self.queueLimit = queueLimit
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// Jobs waiting for a thread.
    var queued: Int { max(0, pending.load(ordering: .relaxed) - threads) }
    /// Jobs on a thread now.
    var running: Int { min(threads, pending.load(ordering: .relaxed)) }
    /// Requests refused because the queue was full, since start.
    var refusedCount: Int { refused.load(ordering: .relaxed) }
    var isSaturated: Bool { queued >= queueLimit }

    /// Runs `body` as a request's new work, or throws a 503 `NodeError` when the queue is full.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        guard pending.add(1, ordering: .relaxed).newValue <= threads + queueLimit else {
            pending.subtract(1, ordering: .relaxed)
            refused.add(1, ordering: .relaxed)
            throw NodeError(.serviceUnavailable, "the node is busy; retry shortly", headers: [.retryAfter: "1"])
        }
        defer { pending.subtract(1, ordering: .relaxed) }
        return try await pool.runIfActive(body)
    }

    /// Runs a further step of a request already admitted; never refused for load.
    func runAdmitted<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        pending.add(1, ordering: .relaxed)
        defer { pending.subtract(1, ordering: .relaxed) }
        return try await pool.runIfActive(body)
    }

    /// Runs `body` whether or not the calling task is cancelled: for what must happen
    /// whatever becomes of the request, such as stopping a process-wide sampler.
    func runEvenIfCancelled<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        pending.add(1, ordering: .relaxed)
        defer { pending.subtract(1, ordering: .relaxed) }
        return try await pool.runIfActive(eventLoop: NIOSingletons.posixEventLoopGroup.any(), body).get()
    }

    func shutdown() async {
        try? await pool.shutdownGracefully()
    }
}
