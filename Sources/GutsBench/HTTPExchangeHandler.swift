import NIOCore
import NIOHTTP1

/// Sends one request when the connection becomes active and completes `promise` with the
/// response once it has ended, or with an `HTTPExchangeError` when the connection fails first.
final class HTTPExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let head: HTTPRequestHead
    private let body: [UInt8]?
    private let timeout: TimeAmount
    private let promise: EventLoopPromise<HTTPExchange.Response>
    private var response: HTTPExchange.Response?
    private var completed = false
    private var timer: Scheduled<Void>?

    init(head: HTTPRequestHead, body: [UInt8]?, timeout: TimeAmount, promise: EventLoopPromise<HTTPExchange.Response>) {
        self.head = head
        self.body = body
        self.timeout = timeout
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            self.fail(HTTPExchangeError.timedOut(seconds: Double(self.timeout.nanoseconds) / 1e9), context: context)
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            response = HTTPExchange.Response(status: Int(head.status.code), headers: head.headers, body: [])
        case .body(var buffer):
            response?.body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard !completed, let response else { return }
            completed = true
            timer?.cancel()
            promise.succeed(response)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPExchangeError.connectionClosed, context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(HTTPExchangeError.connectionFailed("\(error)"), context: context)
    }

    private func fail(_ error: HTTPExchangeError, context: ChannelHandlerContext) {
        guard !completed else { return }
        completed = true
        timer?.cancel()
        promise.fail(error)
        context.close(promise: nil)
    }
}
