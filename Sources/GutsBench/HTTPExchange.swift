import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One HTTP/1.1 request with the whole response collected, over AsyncHTTPClient's shared
/// client: the bench's one-shot requests (a native push, a `/metrics` read). The load
/// generator keeps its own connections, which it measures.
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
    /// The largest response body read (a push report or a metrics page is far smaller).
    var maxBodyBytes = 64 << 20

    /// Sends `method path` with `headers` and `body` (sized by `content-length`) and returns the response.
    func send(method: HTTPMethod, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Response {
        var request = HTTPClientRequest(url: "http://\(host):\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let collected = try await response.body.collect(upTo: maxBodyBytes)
        return Response(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
    }
}
