import NIOCore
import NIOHTTP1

/// Drives one keep-alive HTTP/1.1 connection: one request at a time, the next as soon as the
/// previous answer ends (closed loop) or at its scheduled time (constant rate).
final class LoadConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// Sent down the pipeline to begin.
    struct Start: Sendable {
        var recordFrom: NIODeadline
        var stopAt: NIODeadline
        /// Per-connection interval in constant-rate mode.
        var interval: TimeAmount?
        var firstSend: NIODeadline
    }

    private let index: Int
    private let request: LoadRequest
    private let hostHeader: String
    private let recorder: LoadRecorder
    private let requestLimit: Int?
    private let keepOpen: Bool
    private let done: EventLoopPromise<Void>
    private var start: Start?
    private var sequence = 0
    private var intended = NIODeadline.now()
    private var sentIntended = NIODeadline.now()
    private var inFlight = false
    private var status = 0
    private var finished = false

    init(
        index: Int, request: LoadRequest, hostHeader: String, recorder: LoadRecorder, requestLimit: Int?, keepOpen: Bool,
        done: EventLoopPromise<Void>
    ) {
        self.index = index
        self.request = request
        self.hostHeader = hostHeader
        self.recorder = recorder
        self.requestLimit = requestLimit
        self.keepOpen = keepOpen
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let start = event as? Start else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        self.start = start
        intended = start.firstSend
        scheduleNext(context: context)
    }

    private func scheduleNext(context: ChannelHandlerContext) {
        guard let start, !finished else { return }
        let now = NIODeadline.now()
        if now >= start.stopAt || requestLimit.map({ sequence >= $0 }) == true || !recorder.claim() {
            finish(context: context)
            return
        }
        if start.interval != nil, intended > now {
            context.eventLoop.assumeIsolated().scheduleTask(deadline: intended) { [self] in
                self.send(context: context)
            }
        } else {
            send(context: context)
        }
    }

    private func send(context: ChannelHandlerContext) {
        guard !finished, context.channel.isActive else { return }
        if start?.interval == nil { intended = .now() }
        sentIntended = intended
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: request.path)
        head.headers.add(name: "host", value: hostHeader)
        if let token = request.token { head.headers.add(name: "authorization", value: "Bearer \(token)") }
        let body = request.body?(index, sequence)
        if let body {
            head.headers.add(name: "content-type", value: "application/json")
            head.headers.add(name: "content-length", value: "\(body.utf8.count)")
        }
        sequence += 1
        inFlight = true
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body:
            break
        case .end:
            inFlight = false
            let now = NIODeadline.now()
            if let start, sentIntended >= start.recordFrom {
                recorder.record(nanoseconds: (now - sentIntended).nanoseconds, success: (200..<300).contains(status))
            }
            if let interval = start?.interval { intended = intended + interval }
            scheduleNext(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if inFlight { recorder.recordError() }
        inFlight = false
        if !finished {
            finished = true
            done.succeed(())
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        recorder.recordError()
        inFlight = false
        context.close(promise: nil)
    }

    private func finish(context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        done.succeed(())
        if !keepOpen { context.close(promise: nil) }
    }
}
