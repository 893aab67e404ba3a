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
        let route = context.endpointPath ?? "NotFound"
        if response.headers[ResponseCachePolicy.headerName] != nil { response.headers[ResponseCachePolicy.routeHeaderName] = route }
        Self.record(requestID: requestID, method: request.method, path: Substring(request.uri.path), route: route,
                    status: response.status.code, elapsed: ContinuousClock.now - start, metrics: metrics, log: AccessLog(logger: context.logger))
        return response
    }

    /// Counts a finished request and writes its log line; `ResponseCacheHandler` calls it
    /// for the requests it answers without the router.
    static func record(requestID: String, method: HTTPRequest.Method, path: Substring, route: String, status: Int,
                       elapsed: Duration, metrics: NodeMetrics, log: AccessLog) {
        metrics.requestEnded(route: route, method: method, status: status, duration: elapsed)
        log.record(requestID: requestID, method: method.rawValue, path: path, status: status, milliseconds: Int(elapsed.seconds * 1000))
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
