import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1.1 child channel with `ResponseCacheHandler` placed after its
/// connection state handler (`HTTP1Channel`'s own extra handlers go before that one, where
/// requests answered early would not count as activity for the idle timeout).
struct NodeHTTP1Channel: ServerChildChannel {
    let http1: HTTP1Channel
    /// Nil for no response cache.
    let makeCacheHandler: (@Sendable () -> ResponseCacheHandler)?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            if let makeCacheHandler {
                let operations = channel.pipeline.syncOperations
                let state = try operations.context(handlerType: HTTPConnectionStateHandler.self)
                try operations.addHandler(makeCacheHandler(), position: .after(state.handler))
            }
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}
