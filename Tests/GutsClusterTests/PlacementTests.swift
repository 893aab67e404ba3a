import GutsCluster
import Testing

struct PlacementTests {
    let members = (1...7).map { "node-\($0)" }

    @Test func everyNodeComputesTheSameReplicasWhateverTheMemberOrder() {
        for repository in ["acme/project", "a/b", "x/y"] {
            let first = Placement.replicas(for: repository, among: members, count: 3)
            #expect(first.count == 3)
            #expect(Set(first).count == 3)
            #expect(Placement.replicas(for: repository, among: members.reversed(), count: 3) == first)
            #expect(Placement.replicas(for: repository, among: members + members, count: 3) == first)
        }
    }

    @Test func removingAMemberMovesOnlyTheRepositoriesItHeld() {
        let repositories = (0..<500).map { "owner/repo-\($0)" }
        let before = repositories.map { Placement.replicas(for: $0, among: members, count: 3) }
        let after = repositories.map { Placement.replicas(for: $0, among: members.filter { $0 != "node-4" }, count: 3) }
        for (old, new) in zip(before, after) {
            if old.contains("node-4") {
                #expect(Set(new).isSuperset(of: old.filter { $0 != "node-4" }))
            } else {
                #expect(new == old)
            }
        }
        // Spread: each member holds some, none holds all.
        let counts = members.map { member in before.count { $0.contains(member) } }
        #expect(counts.allSatisfy { $0 > 100 && $0 < 350 }, "\(counts)")
    }

    @Test func fewerMembersThanReplicasGivesEveryMemberAndQuorumIsAMajority() {
        #expect(Set(Placement.replicas(for: "a/b", among: ["n1", "n2"], count: 3)) == ["n1", "n2"])
        #expect(Placement.replicas(for: "a/b", among: [String](), count: 3).isEmpty)
        #expect(Placement.replicas(for: "a/b", among: members, count: 0).isEmpty)
        #expect([1, 2, 3, 4, 5].map(Placement.quorum(of:)) == [1, 2, 2, 3, 3])
    }
}
