/// Everything an administration job can fail with, each with a one-line `description`
/// and the process exit code the CLI uses for it (`sysexits`: 64 usage, 75 busy).
public enum AdminError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Bad arguments or an impossible combination of them.
    case usage(String)
    /// Another run of `job` holds its lock.
    case jobBusy(job: String, lockPath: String)
    /// The operation changes the storage under a running node: stop it first.
    case needsStoppedNode(String)
    /// RocksDB reports stopped or delayed writes; compacting now would make it worse.
    case writeStalled(String)
    /// The node answered with an error status.
    case nodeRefused(status: Int, message: String)
    /// The node could not be reached.
    case nodeUnreachable(url: String, reason: String)
    /// A repository, ref or object that does not exist.
    case notFound(String)
    /// A migration step or a git subprocess failed.
    case failed(String)

    public var description: String {
        switch self {
        case .usage(let message): message
        case .jobBusy(let job, let lockPath): "another \(job) job is running (lock \(lockPath) held)"
        case .needsStoppedNode(let operation): "\(operation) needs the node stopped first"
        case .writeStalled(let reason): "refusing to compact: \(reason)"
        case .nodeRefused(let status, let message): "node answered \(status): \(message)"
        case .nodeUnreachable(let url, let reason): "cannot reach node at \(url): \(reason)"
        case .notFound(let what): "\(what) not found"
        case .failed(let message): message
        }
    }

    /// 64 for usage errors, 75 when busy (retry later), 1 otherwise.
    public var exitCode: Int32 {
        switch self {
        case .usage: 64
        case .jobBusy, .writeStalled, .needsStoppedNode: 75
        case .nodeRefused(let status, _):
            switch status {
            case 400, 422: 64
            case 409, 423, 429, 503: 75
            default: 1
            }
        default: 1
        }
    }
}
