#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes

/// Answers anonymous `GET`s that `ResponseCache` holds, on the connection's event loop,
/// before the request reaches Hummingbird's async channel; fills the cache from the
/// marked responses the router sends back.
///
/// Measured reason (docs/PERFORMANCE.md): a response written from a channel handler
/// costs a fraction of one that travels the async channel to the connection's task, the
/// router and back, and Hummingbird's own floor was below the API's speed target.
///
/// It sits after Hummingbird's `HTTPConnectionStateHandler`, so the idle timeout,
/// graceful shutdown and request counting see every request, answered here or not. It
/// answers only when no earlier request of the connection is still in the router,
/// so pipelined responses keep their order, and only requests without `Connection:
/// close` (those go on, and Hummingbird closes after the response). Each answer is
/// counted and logged as `RequestObservationMiddleware` does for the rest.
final class ResponseCacheHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A request passed on to the router, oldest first; one that may fill the cache
    /// carries its target and the registry's generation when its head arrived.
    private struct Forwarded {
        var fill: (target: String, registryGeneration: UInt64)?
    }

    /// A marked response being copied as it goes out.
    private struct Capture {
        var entry: (target: String, policy: ResponseCachePolicy, registryGeneration: UInt64, route: String, head: HTTPResponse)
        var length: Int
        var body: ByteBuffer
    }

    private let cache: ResponseCache
    private let metrics: NodeMetrics
    private let log: AccessLog
    /// Rarely more than one: only pipelining clients send the next request before an answer.
    private var forwarded = [Forwarded]()
    /// The parts of a request answered here are dropped.
    private var answered = false
    private var capture: Capture?
    private var date: (second: Int, text: String) = (-1, "")

    init(cache: ResponseCache, metrics: NodeMetrics, logger: Logger) {
        self.cache = cache
        self.metrics = metrics
        log = AccessLog(logger: logger)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            let eligible = ResponseCache.isEligible(request)
            if eligible, forwarded.isEmpty, let target = request.path, let entry = cache.lookup(target) {
                answered = true
                answer(request, from: entry, context: context)
                return
            }
            forwarded.append(Forwarded(fill: eligible ? request.path.map { ($0, cache.registryGeneration) } : nil))
            context.fireChannelRead(data)
        case .body:
            if !answered { context.fireChannelRead(data) }
        case .end:
            if answered { answered = false } else { context.fireChannelRead(data) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var response):
            let policy = response.headerFields[ResponseCachePolicy.headerName].flatMap(ResponseCachePolicy.init(headerValue:))
            let route = response.headerFields[ResponseCachePolicy.routeHeaderName] ?? "NotFound"
            response.headerFields[ResponseCachePolicy.headerName] = nil
            response.headerFields[ResponseCachePolicy.routeHeaderName] = nil
            capture = nil
            if let policy, response.status == .ok, let (target, generation) = forwarded.first?.fill,
               let length = response.headerFields[.contentLength].flatMap({ Int($0) }), length <= ResponseCache.maxBodyBytes {
                var head = response
                head.headerFields[.date] = nil
                head.headerFields[.requestID] = nil
                capture = Capture(entry: (target, policy, generation, route, head), length: length, body: ByteBuffer())
            }
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .body(let buffer):
            if capture != nil { capture?.body.writeImmutableBuffer(buffer) }
            context.write(data, promise: promise)
        case .end:
            if let capture, capture.body.readableBytes == capture.length {
                let (target, policy, generation, route, head) = capture.entry
                var expires: ContinuousClock.Instant?
                if case .forDuration(let milliseconds) = policy { expires = .now + .milliseconds(milliseconds) }
                cache.store(.init(target: target, policy: policy, registryGeneration: generation, expires: expires, route: route, head: head, body: capture.body))
            }
            capture = nil
            if !forwarded.isEmpty { forwarded.removeFirst() }
            context.write(data, promise: promise)
        }
    }

    private func answer(_ request: HTTPRequest, from entry: ResponseCache.Entry, context: ChannelHandlerContext) {
        let start = ContinuousClock.now
        metrics.requestStarted()
        let requestID = RequestObservationMiddleware<BasicRequestContext>.requestID(from: request.headerFields) ?? RequestID().description
        var head = entry.head
        head.headerFields[.date] = currentDate()
        head.headerFields[.requestID] = requestID
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(entry.body)), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        RequestObservationMiddleware<BasicRequestContext>.record(
            requestID: requestID, method: request.method, path: (request.path ?? "").split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0], route: entry.route,
            status: head.status.code, elapsed: ContinuousClock.now - start, metrics: metrics, log: log)
    }

    private func currentDate() -> String {
        let second = time(nil)
        if second != date.second { date = (second, HTTPDate.format(secondsSince1970: second)) }
        return date.text
    }
}
