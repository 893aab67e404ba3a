import Logging

/// One access line per request, `time INFO request method=… ms=… path=… request-id=… status=…`.
///
/// Written straight to the node's `LogSink` when the logger is the node's own text handler
/// with no metadata of its own, and through swift-log otherwise; both give the same line.
/// Measured reason: for a request answered from the response cache, building the line's
/// `Logger.Metadata` (five values in a dictionary, merged and sorted by the handler) was 13%
/// of the node's CPU under load (`perf record -g`, docs/PERFORMANCE.md).
struct AccessLog: Sendable {
    private let logger: Logger
    private let direct: LineLogHandler?

    init(logger: Logger) {
        self.logger = logger
        let handler = logger.handler as? LineLogHandler
        if let handler, !handler.json, handler.metadata.isEmpty, logger.logLevel <= .info {
            direct = handler
        } else {
            direct = nil
        }
    }

    func record(requestID: String, method: String, path: Substring, status: Int, milliseconds: Int) {
        guard let direct else {
            logger.info("request", metadata: [
                "request-id": "\(requestID)", "method": "\(method)", "path": "\(path)", "status": "\(status)", "ms": "\(milliseconds)",
            ])
            return
        }
        // The keys in the order the handler sorts them.
        var line = LogTimestamp.now()
        line.reserveCapacity(192)
        line += " INFO request method="
        line += method
        line += " ms="
        line += String(milliseconds)
        line += " path="
        line += path
        line += " request-id="
        line += requestID
        line += " status="
        line += String(status)
        line += "\n"
        direct.sink.write(&line, urgent: false)
    }
}
