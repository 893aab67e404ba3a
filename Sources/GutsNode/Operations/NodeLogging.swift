import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Log output for the node: human-readable text or one JSON object per line, on stderr.
public enum NodeLogging {
    public static func makeLogger(format: NodeConfiguration.LogFormat, level: String) -> Logger {
        let logLevel = Logger.Level(rawValue: level) ?? .info
        var logger = Logger(label: "guts") { label in
            LineLogHandler(label: label, json: format == .json)
        }
        logger.logLevel = logLevel
        return logger
    }
}

/// Writes each record as one line: `time level message key=value...` or a JSON object.
struct LineLogHandler: LogHandler {
    let label: String
    let json: Bool
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = LogTimestamp.now()
        var fields = metadata
        event.metadata.map { fields.merge($0) { $1 } }
        let line: String
        if json {
            var object: [String: String] = ["time": time, "level": event.level.rawValue, "message": "\(event.message)"]
            for (key, value) in fields { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            let pairs = fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }.joined(separator: " ")  // safe: key comes from fields.keys
            line = "\(time) \(event.level.rawValue.uppercased()) \(event.message)" + (pairs.isEmpty ? "" : " \(pairs)")
        }
        var bytes = Array((line + "\n").utf8)
        // One write(2) per line, so lines from concurrent requests never interleave.
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)  // safe: the line is never empty
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
