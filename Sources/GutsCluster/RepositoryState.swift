import GutsGit

/// A repository's state in etcd, read at one revision.
public struct RepositoryState: Sendable, Equatable {
    /// The repository's settings; nil when etcd does not know the repository.
    public var meta: RepositoryMeta?
    public var exists: Bool { meta != nil }
    public var refs: [String: ObjectID] = [:]
    public var head: String?
    public var placement: [String] = []
    public var revision: Int64 = 0

    public init() {}

    /// Decodes the keys under `ClusterKeys.repository(name)`; a ref whose value is not a
    /// hex object id is skipped (nothing the cluster writes looks like that).
    public init(repository: String, kvs: [EtcdKeyValue], revision: Int64) {
        let prefix = ClusterKeys.repository(repository)
        self.revision = revision
        for kv in kvs {
            let key = kv.keyString
            guard key.hasPrefix(prefix) else { continue }
            let name = String(key.dropFirst(prefix.count))
            switch name {
            case "meta": meta = RepositoryMeta.decoded(kv.value)
            case "HEAD": head = kv.valueString
            case "placement": placement = kv.valueString.split(separator: ",").map(String.init)
            default:
                if name.hasPrefix("refs/"), let id = ObjectID(hex: kv.valueString) { refs[name] = id }
            }
        }
    }
}
