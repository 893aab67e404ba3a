/// The scenarios `guts bench` can run.
public enum BenchScenario: String, Sendable, Codable, CaseIterable {
    case storage, api, clone, push, connections, repos
}
