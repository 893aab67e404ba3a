import HTTPTypes
import Hummingbird
import Logging

/// Bounds a whole request, from the router receiving its head to the last byte of a
/// streamed response, by the node's request timeout.
///
/// Until the response exists, the handler runs in a child task that `RequestWatchdog`
/// cancels at the deadline. A handler that then fails (cancellation ends body reads, sleeps and steps
/// queued on the blocking pool) gets `RequestTimeoutError`, which
/// `RequestObservationMiddleware` (outside this one) answers, counts and logs like any
/// other error, as `{"error": "request timed out after N s…"}`:
/// - 408 Request Timeout when the handler had begun reading the request body and not
///   reached its end: the request message itself was still incomplete (RFC 9110
///   §15.5.9), so the client is the slow party. It carries `Connection: close`; the node
///   closes the connection itself when the handler was waiting for body bytes, and
///   otherwise reads and drops the rest of the body, as for any early response.
/// - 503 Service Unavailable otherwise: the node itself did not answer in time (not 504:
///   there is no upstream server here).
///
/// Cancellation is cooperative. A step already running on the blocking pool (a RocksDB
/// scan, indexing a pushed pack, applying a push) cannot be interrupted: the error
/// response waits for it, and its effect stands (a push applied that late is stored
/// although its client is told 503). `NIOThreadPool` skips the steps a cancelled task
/// queues afterwards, and cleanup that must happen anyway uses
/// `BlockingPool.runEvenIfCancelled`. A handler that finishes its response despite the
/// cancellation has its response sent.
///
/// A streamed response body (one without a known length: git packs) is written through
/// `DeadlineResponseBodyWriter`, which ends it at the same deadline. Bodies of known
/// length are single buffers written at once, and keep Hummingbird's one-write path.
///
/// Every timeout increments `guts_http_request_timeouts_total{phase}` and logs a warning.
///
/// The same watchdog ends a request whose body sends no byte for `bodyIdleSeconds` (a
/// client trickling its body to hold a connection and a handler): 408, whatever the
/// whole-request timeout.
struct RequestTimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The whole-request timeout; 0 for none.
    let seconds: Int
    /// The body idle timeout; 0 for none.
    let bodyIdleSeconds: Int
    let metrics: NodeMetrics
    let watchdog = RequestWatchdog()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Without a whole-request timeout the deadline is far enough away never to come.
        let deadline = ContinuousClock.now + .seconds(seconds > 0 ? seconds : 100 * 365 * 86_400)
        let bodyProgress = RequestBodyProgress()
        let tracked = Self.hasBody(request) ? bodyProgress.track(request) : request
        let (result, expired) = await withoutActuallyEscaping(next) { next in
            // The handler runs in a child task so that the watchdog cancels it alone, not
            // the connection's task. Hummingbird types `next` as a plain closure, though it
            // only calls the rest of the chain, made of Sendable responders; `Request`,
            // `Context` and `Response` are Sendable. Exactly one child calls it, and it ends
            // before this closure returns, as `withoutActuallyEscaping` checks.
            nonisolated(unsafe) let next = next
            async let outcome = watchdog.run(
                until: deadline, requestBody: bodyProgress, bodyIdle: bodyIdleSeconds > 0 ? .seconds(bodyIdleSeconds) : nil
            ) { try await next(tracked, context) }
            return await outcome
        }
        switch result {
        case .success(var response):
            if seconds > 0, response.body.contentLength == nil {
                response.body = limitBody(response.body, deadline: deadline, request: request, context: context)
            }
            return response
        case .failure(let error):
            guard let expired else { throw error }
            let timeout = switch expired {
            case .deadline: RequestTimeoutError(seconds: seconds, phase: bodyProgress.isIncomplete ? .requestBody : .handler)
            case .bodyIdle: RequestTimeoutError(seconds: bodyIdleSeconds, phase: .requestBody, idle: true)
            }
            Self.record(timeout, metrics: metrics, logger: context.logger, requestLabels: Self.labels(request, context: context))
            throw timeout
        }
    }

    private func limitBody(_ body: ResponseBody, deadline: ContinuousClock.Instant, request: Request, context: Context) -> ResponseBody {
        let (metrics, logger, labels, seconds) = (metrics, context.logger, Self.labels(request, context: context), seconds)
        return ResponseBody { writer in
            try await body.write(DeadlineResponseBodyWriter(base: writer, deadline: deadline, seconds: seconds) { timeout in
                Self.record(timeout, metrics: metrics, logger: logger, requestLabels: labels)
            })
        }
    }

    /// Requests without `Content-Length` or `Transfer-Encoding` have no body (RFC 9112 §6.3).
    private static func hasBody(_ request: Request) -> Bool {
        if let length = request.headers[.contentLength] { return length != "0" }
        return request.headers[.transferEncoding] != nil
    }

    private static func labels(_ request: Request, context: Context) -> Logger.Metadata {
        [
            "request-id": "\(RequestObservationMiddleware<Context>.requestID(from: request.headers) ?? context.id)",
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
        ]
    }

    private static func record(_ timeout: RequestTimeoutError, metrics: NodeMetrics, logger: Logger, requestLabels: Logger.Metadata) {
        metrics.recordTimeout(phase: timeout.phase)
        var metadata = requestLabels
        metadata["phase"] = "\(timeout.phase.rawValue)"
        metadata["timeout-s"] = "\(timeout.seconds)"
        logger.warning("request timed out", metadata: metadata)
    }
}
