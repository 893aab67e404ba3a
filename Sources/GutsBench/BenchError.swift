/// Why a benchmark could not run; each case reads as one line.
public enum BenchError: Error, CustomStringConvertible, Equatable {
    case invalidURL(String)
    case nodeDidNotStart(String)
    case commandFailed(command: String, status: Int32, output: String)
    case requestFailed(String)
    case noConnections(host: String, port: Int)
    case baselineMissing(path: String)
    case baselineUnreadable(path: String, reason: String)
    case unsupported(String)
    case missingTool(String)
    case invalidThreshold(String, reason: String)
    case invalidMix(String, reason: String)
    case unknownMetric(String, known: [String])
    case incompatibleUnit(threshold: String, metricUnit: String)

    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid --url \(url): expected http://host:port"
        case .nodeDidNotStart(let reason): "the embedded node did not start: \(reason)"
        case .commandFailed(let command, let status, let output):
            "'\(command)' exited \(status): \(output.split(separator: "\n").suffix(3).joined(separator: " / "))"
        case .requestFailed(let reason): "request failed: \(reason)"
        case .noConnections(let host, let port): "could not open any connection to \(host):\(port)"
        case .baselineMissing(let path): "no baseline at \(path)"
        case .baselineUnreadable(let path, let reason): "cannot read baseline \(path): \(reason)"
        case .unsupported(let reason): reason
        case .missingTool(let tool): "this benchmark needs \(tool)"
        case .invalidThreshold(let text, let reason): "invalid --fail-on '\(text)': \(reason)"
        case .invalidMix(let text, let reason): "invalid --mix '\(text)': \(reason)"
        case .unknownMetric(let name, let known):
            "--fail-on names no metric of the report: \(name) (there are: \(known.joined(separator: ", ")))"
        case .incompatibleUnit(let threshold, let metricUnit): "--fail-on \(threshold): the metric is in \(metricUnit)"
        }
    }
}
