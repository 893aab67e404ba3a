import Foundation
import HTTPTypes
import Hummingbird

/// An HTTP error whose body is `{"error": "..."}`.
struct NodeError: Error, HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    var description: String { message }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data()
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body + [0x0a])))
    }

    static func unauthorized(_ message: String = "authentication required") -> NodeError {
        NodeError(.unauthorized, message, headers: [.wwwAuthenticate: "Basic realm=\"guts\""])
    }
}

extension HTTPResponse.Status {
    /// 507: the node's disk is full.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
}
