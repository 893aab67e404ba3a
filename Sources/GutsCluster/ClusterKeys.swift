/// Where the cluster keeps its state in etcd.
///
/// - `/guts/members/<node>`: the node's advertised URL, under its lease;
/// - `/guts/repos/<owner>/<name>/meta`: the repository exists (a small JSON document);
/// - `/guts/repos/<owner>/<name>/HEAD`: HEAD's symbolic target;
/// - `/guts/repos/<owner>/<name>/placement`: its replicas' node names, comma-separated;
/// - `/guts/repos/<owner>/<name>/refs/...`: each ref's object id in hex.
///
/// A repository name has exactly two components, so `<owner>/<name>/` ends before any
/// key of the repository's own.
public enum ClusterKeys {
    public static let membersPrefix = "/guts/members/"
    public static let repositoriesPrefix = "/guts/repos/"

    public static func member(_ name: String) -> [UInt8] { Array((membersPrefix + name).utf8) }
    public static func repository(_ name: String) -> String { repositoriesPrefix + name + "/" }
    public static func meta(_ repository: String) -> [UInt8] { Array((self.repository(repository) + "meta").utf8) }
    public static func head(_ repository: String) -> [UInt8] { Array((self.repository(repository) + "HEAD").utf8) }
    public static func placement(_ repository: String) -> [UInt8] { Array((self.repository(repository) + "placement").utf8) }
    /// `ref` is a full name (`refs/heads/main`).
    public static func ref(_ repository: String, _ ref: String) -> [UInt8] { Array((self.repository(repository) + ref).utf8) }
}
