import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every response an `x-request-id` (the caller's, if it sent a sane one), records
/// route/status/duration metrics and writes one log line per request.
///
/// The route label is the template of the route the router matched (`context.endpointPath`,
/// such as `/api/repos/{owner}/{name}/commits`; `NotFound` when none), so its values are
/// bounded by the routes the node has.
///
/// The log line carries method, path and status only: never the query string or
/// headers, which is where credentials travel.
struct RequestObservationMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: NodeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = Self.requestID(from: request.headers) ?? context.id
        metrics.requestStarted()
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let httpError = (error as? any HTTPResponseError) ?? NodeError(.internalServerError, "internal error (request \(requestID))")
            if httpError.status == .internalServerError {
                context.logger.error("request failed", metadata: ["request-id": "\(requestID)", "error": "\(error)"])
            }
            response = try httpError.response(from: request, context: context)
        }
        response.headers[.requestID] = requestID
        let elapsed = ContinuousClock.now - start
        metrics.requestEnded(route: context.endpointPath ?? "NotFound", method: request.method, status: response.status.code, duration: elapsed)
        context.logger.info("request", metadata: [
            "request-id": "\(requestID)", "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
            "status": "\(response.status.code)", "ms": "\(Int(elapsed.seconds * 1000))",
        ])
        return response
    }

    static func requestID(from headers: HTTPFields) -> String? {
        guard let value = headers[.requestID], (1...128).contains(value.count),
              value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else { return nil }
        return value
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("x-request-id")!  // safe: a constant, valid header name
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
