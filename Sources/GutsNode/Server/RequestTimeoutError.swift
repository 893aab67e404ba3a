import HTTPTypes
import Hummingbird

/// A request that ran past the node's request timeout, and in which part of it.
///
/// Before a response exists it is answered as an HTTP error: 408 when the request
/// body was still arriving, 503 otherwise (see `RequestTimeoutMiddleware`). In the
/// response body it is what the body writer throws to end the stream.
struct RequestTimeoutError: HTTPResponseError, CustomStringConvertible {
    enum Phase: String, Sendable, CaseIterable {
        /// The handler was waiting for the rest of the request body.
        case requestBody = "request-body"
        /// The handler was working on the response.
        case handler
        /// The response head had gone out and its body was being sent.
        case responseBody = "response-body"
    }

    let seconds: Int
    let phase: Phase
    /// The request body went idle (no byte for `seconds`), rather than the request running long.
    var idle = false

    var status: HTTPResponse.Status { phase == .requestBody ? .requestTimeout : .serviceUnavailable }

    var description: String {
        switch phase {
        case .requestBody where idle: "request body sent no byte for \(seconds) s"
        case .requestBody: "request timed out after \(seconds) s while the request body was still arriving"
        case .handler, .responseBody: "request timed out after \(seconds) s"
        }
    }

    /// A 408 asks the client to close the connection: whatever of its body is still in
    /// flight is no longer wanted, and the connection cannot carry another request first.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        let headers: HTTPFields = phase == .requestBody ? [.connection: "close"] : [:]
        return try NodeError(status, description, headers: headers).response(from: request, context: context)
    }
}
