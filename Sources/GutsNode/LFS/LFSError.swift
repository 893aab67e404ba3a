import Foundation
import HTTPTypes
import Hummingbird

/// An error of the Git LFS API: `{"message": "..."}` as `application/vnd.git-lfs+json`,
/// which git-lfs prints to the user. A 401 carries `LFS-Authenticate` so git-lfs asks
/// for credentials.
struct LFSError: Error, HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }

    static let authenticateHeader = HTTPField.Name("LFS-Authenticate")!  // safe: a constant, valid header name

    var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: LFSMessages.contentType]
        if status == .unauthorized {
            fields[Self.authenticateHeader] = "Basic realm=\"guts\""
            fields[.wwwAuthenticate] = "Basic realm=\"guts\""
        }
        return fields
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = (try? JSONResponse.encoder.encode(LFSMessages.ErrorBody(message: message))) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body + [0x0a])))
    }

    /// The same refusal as a `NodeError` would give, in LFS form.
    init(_ error: NodeError) {
        self.init(error.status, error.message)
    }
}
