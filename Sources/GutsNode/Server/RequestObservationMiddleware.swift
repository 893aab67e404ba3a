import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every response an `x-request-id` (the caller's, if it sent a sane one), records
/// route/status/duration metrics and writes one log line per request.
///
/// The log line carries method, path and status only: never the query string or
/// headers, which is where credentials travel.
struct RequestObservationMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: NodeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = Self.requestID(from: request.headers) ?? context.id
        let route = Self.routeLabel(request.uri.path)
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
        response.headers[HTTPField.Name("x-request-id")!] = requestID  // safe: a constant, valid header name
        let seconds = (ContinuousClock.now - start).seconds
        metrics.recordRequest(route: route, method: request.method.rawValue, status: response.status.code, seconds: seconds)
        context.logger.info("request", metadata: [
            "request-id": "\(requestID)", "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
            "status": "\(response.status.code)", "ms": "\(Int(seconds * 1000))",
        ])
        return response
    }

    static func requestID(from headers: HTTPFields) -> String? {
        guard let value = headers[HTTPField.Name("x-request-id")!], (1...128).contains(value.count),  // safe: a constant, valid header name
              value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else { return nil }
        return value
    }

    /// A small fixed set of route names, so metric label cardinality stays bounded.
    static func routeLabel(_ path: String) -> String {
        if path.hasPrefix("/api/") { return "api" }
        if path.hasPrefix("/health") { return "health" }
        if path == "/metrics" || path == "/version" { return String(path.dropFirst()) }
        if path.hasPrefix("/admin/") { return "admin" }
        if let route = GitRoute.parse(path) {
            switch route.action {
            case .infoRefs: return "info-refs"
            case .uploadPack: return "upload-pack"
            case .receivePack: return "receive-pack"
            case .raw: return "raw"
            case .archive: return "archive"
            case .lfs(let rest): return rest.first == "objects" && rest.count == 2 ? "lfs-object" : "lfs"
            }
        }
        return "other"
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
