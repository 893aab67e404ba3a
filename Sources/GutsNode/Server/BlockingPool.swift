import NIOPosix

/// Runs storage, zlib and SHA-1 work off the event loops, on NIO's blocking thread pool.
enum BlockingPool {
    static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
