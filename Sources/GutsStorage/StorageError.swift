import GutsGit

/// Everything that can go wrong in `GutsStorage`, each with the context needed to act on it
/// and a one-line `description`.
public enum StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Another process (or another open handle in this one) holds the RocksDB LOCK of `path`.
    case dataDirectoryInUse(path: String)
    /// A RocksDB call failed; `message` is RocksDB's own text.
    case rocksDB(operation: String, message: String)
    /// The store was closed before this call.
    case closed
    /// A repository name broke one of the naming rules.
    case invalidRepositoryName(String, reason: String)
    case repositoryExists(String)
    case repositoryNotFound(String)
    /// Content hashed to `actual` but the caller claimed `expected`.
    case objectIDMismatch(expected: ObjectID, actual: ObjectID)
    /// A ref's current value was not what the update expected (nil = absent).
    case refConflict(name: String, expected: ObjectID?, actual: ObjectID?)
    case invalidRefName(String, reason: String)
    /// A stored value could not be decoded.
    case corruptValue(key: String, reason: String)
    /// The data directory was written by a newer schema than this build understands.
    case unsupportedSchemaVersion(found: Int, supported: Int)
    /// A prune deleted objects while this update's objects were being checked; retry it.
    case objectsPruned

    public var description: String {
        switch self {
        case .dataDirectoryInUse(let path):
            "data directory \(path) is in use by another process (RocksDB LOCK held)"
        case .rocksDB(let operation, let message):
            "RocksDB \(operation) failed: \(message)"
        case .closed:
            "storage is closed"
        case .invalidRepositoryName(let name, let reason):
            "invalid repository name '\(name)': \(reason)"
        case .repositoryExists(let name):
            "repository \(name) already exists"
        case .repositoryNotFound(let name):
            "repository \(name) not found"
        case .objectIDMismatch(let expected, let actual):
            "object id mismatch: claimed \(expected), content hashes to \(actual)"
        case .refConflict(let name, let expected, let actual):
            "ref \(name) changed: expected \(expected?.hex ?? "absent"), found \(actual?.hex ?? "absent")"
        case .invalidRefName(let name, let reason):
            "invalid ref name '\(name)': \(reason)"
        case .corruptValue(let key, let reason):
            "corrupt value at \(key): \(reason)"
        case .unsupportedSchemaVersion(let found, let supported):
            "data directory has schema version \(found); this build supports up to \(supported)"
        case .objectsPruned:
            "unreachable objects were pruned while this update was checked; retry"
        }
    }
}
