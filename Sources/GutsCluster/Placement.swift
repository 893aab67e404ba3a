import GutsGit

/// Which members hold a repository: rendezvous (highest-random-weight) hashing.
///
/// Each member scores `SHA-256(member NUL repository)`; the `count` highest scores win.
/// Adding or removing a member moves only the repositories whose top `count` it enters or
/// leaves (about `count / members` of them), and every node computes the same answer
/// from the same member list, without coordination.
public enum Placement {
    public static func replicas(for repository: String, among members: some Sequence<String>, count: Int) -> [String] {
        guard count > 0 else { return [] }
        let scored = Set(members).map { (member: $0, score: score(member: $0, repository: repository)) }
        let ordered = scored.sorted { $0.score != $1.score ? $0.score > $1.score : $0.member < $1.member }
        return ordered.prefix(count).map(\.member)
    }

    /// The first 8 bytes of the digest, big-endian.
    static func score(member: String, repository: String) -> UInt64 {
        var hash = SHA256()
        hash.update(Array(member.utf8) + [0] + Array(repository.utf8))
        return hash.finalize().prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// How many replicas must hold a push before it is acknowledged: a majority of `count`.
    public static func quorum(of count: Int) -> Int { count / 2 + 1 }
}
