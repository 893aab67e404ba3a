import Foundation
import Logging

/// Log output for the node: human-readable text or one JSON object per line, on stderr.
public enum NodeLogging {
    public static func makeLogger(format: NodeConfiguration.LogFormat, level: String) -> Logger {
        let logLevel = Logger.Level(rawValue: level) ?? .info
        let sink = LogSink()
        var logger = Logger(label: "guts") { label in
            LineLogHandler(label: label, json: format == .json, sink: sink)
        }
        logger.logLevel = logLevel
        return logger
    }
}

/// Writes each record as one line: `time level message key=value...` or a JSON object.
struct LineLogHandler: LogHandler {
    let label: String
    let json: Bool
    let sink: LogSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let levelNames = Dictionary(uniqueKeysWithValues: Logger.Level.allCases.map { ($0, $0.rawValue.uppercased()) })

    func log(event: LogEvent) {
        let time = LogTimestamp.now()
        var fields = metadata
        event.metadata.map { fields.merge($0) { $1 } }
        var line: String
        if json {
            var object: [String: String] = ["time": time, "level": event.level.rawValue, "message": "\(event.message)"]
            for (key, value) in fields { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            // Appended to in place, in one string: this runs once per request.
            line = time
            line.reserveCapacity(192)
            line += " "
            line += Self.levelNames[event.level] ?? event.level.rawValue
            line += " "
            line += event.message.description
            for key in fields.keys.sorted() {
                line += " "
                line += key
                line += "="
                line += fields[key]!.description  // safe: key comes from fields.keys
            }
        }
        line += "\n"
        sink.write(&line, urgent: event.level >= .notice)
    }
}
