import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 request on a connection of its own, with the whole response collected.
///
/// Enough for git's smart HTTP, where every request is answered by one finite body. The
/// connection is closed once the response has ended.
struct HTTPExchange: Sendable {
    /// A complete response.
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    let host: String
    let port: Int
    /// How long the whole exchange, from connecting to the end of the response, may take.
    var timeout: TimeAmount = .seconds(120)
    var group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    /// Sends `method path` with `headers` and `body` (sized by `content-length`) and returns the response.
    func send(method: HTTPMethod, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Response {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "host", value: "\(host):\(port)")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if let body { head.headers.add(name: "content-length", value: "\(body.count)") }
        let request = head
        let loop = group.next()
        let promise = loop.makePromise(of: Response.self)
        let timeout = self.timeout
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPExchangeHandler(head: request, body: body, timeout: timeout, promise: promise))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            promise.fail(error)
            throw HTTPExchangeError.connectFailed(host: host, port: port, reason: "\(error)")
        }
        do {
            let response = try await promise.futureResult.get()
            try? await channel.close()
            return response
        } catch {
            try? await channel.close()
            throw error
        }
    }
}
