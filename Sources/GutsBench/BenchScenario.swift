/// The scenarios `guts bench` can run.
public enum BenchScenario: String, Sendable, Codable, CaseIterable {
    case storage, api, clone, push, connections, repos, mix, soak, cluster

    /// What `all` runs: every scenario but the long-running `soak` and `mix`, and `cluster`
    /// (which starts etcd and processes of its own).
    public static let standard: [BenchScenario] = [.storage, .api, .clone, .push, .connections, .repos]
}
