import GutsCluster
import GutsGit
import GutsStorage
import Testing

struct ClusterKeysTests {
    @Test func prefixEndIsTheFirstKeyPastThePrefix() {
        #expect(EtcdClient.prefixEnd(Array("/guts/".utf8)) == Array("/guts0".utf8))
        #expect(EtcdClient.prefixEnd([0x61, 0xff]) == [0x62])
        #expect(EtcdClient.prefixEnd([0xff, 0xff]) == [0])
    }

    @Test func keysGroupByRepositoryAndOnlyRepositoriesWithMetaCount() throws {
        let id = try #require(ObjectID(hex: String(repeating: "cd", count: 20)))
        let kvs = [
            EtcdKeyValue(key: ClusterKeys.meta("a/b"), value: []),
            EtcdKeyValue(key: ClusterKeys.ref("a/b", "refs/heads/x/meta"), value: Array(id.hex.utf8)),
            EtcdKeyValue(key: ClusterKeys.meta("a/bc"), value: []),
            EtcdKeyValue(key: ClusterKeys.ref("orphan/repo", "refs/heads/main"), value: Array(id.hex.utf8)),
            EtcdKeyValue(key: Array("/guts/repos/short".utf8), value: []),
        ]
        let states = ClusterRefs.states(kvs, revision: 3)
        #expect(Set(states.keys) == ["a/b", "a/bc"])
        #expect(states["a/b"]?.refs == ["refs/heads/x/meta": id])
        #expect(states["a/bc"]?.refs.isEmpty == true)
    }

    @Test func aRepositoryStateDecodesItsOwnKeysOnly() throws {
        let id = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
        let kvs = [
            EtcdKeyValue(key: ClusterKeys.meta("a/b"), value: Array("{}".utf8)),  // every setting at its default
            EtcdKeyValue(key: ClusterKeys.head("a/b"), value: Array("refs/heads/main".utf8)),
            EtcdKeyValue(key: ClusterKeys.placement("a/b"), value: Array("n1,n3".utf8)),
            EtcdKeyValue(key: ClusterKeys.ref("a/b", "refs/heads/main"), value: Array(id.hex.utf8)),
            EtcdKeyValue(key: ClusterKeys.ref("a/b", "refs/heads/junk"), value: Array("not hex".utf8)),
            EtcdKeyValue(key: ClusterKeys.ref("a/bc", "refs/heads/other"), value: Array(id.hex.utf8)),
        ]
        let state = RepositoryState(repository: "a/b", kvs: kvs, revision: 9)
        #expect(state.meta == RepositoryMeta())
        #expect(state.head == "refs/heads/main")
        #expect(state.placement == ["n1", "n3"])
        #expect(state.refs == ["refs/heads/main": id])
        #expect(state.revision == 9)
    }

    @Test func aPushTransactionComparesEveryOldValue() throws {
        let old = try #require(ObjectID(hex: String(repeating: "11", count: 20)))
        let new = try #require(ObjectID(hex: String(repeating: "22", count: 20)))
        let updates = [
            RefUpdate(name: "refs/heads/main", expected: old, new: new),
            RefUpdate(name: "refs/heads/topic", expected: nil, new: new),
            RefUpdate(name: "refs/tags/gone", expected: old, new: nil),
        ]
        let transaction = ClusterRefs.transaction(repository: "a/b", updates: updates, creating: nil)
        #expect(transaction.compares == [
            .valueEquals(key: ClusterKeys.ref("a/b", "refs/heads/main"), value: Array(old.hex.utf8)),
            .absent(key: ClusterKeys.ref("a/b", "refs/heads/topic")),
            .valueEquals(key: ClusterKeys.ref("a/b", "refs/tags/gone"), value: Array(old.hex.utf8)),
        ])
        #expect(transaction.success == [
            .put(key: ClusterKeys.ref("a/b", "refs/heads/main"), value: Array(new.hex.utf8)),
            .put(key: ClusterKeys.ref("a/b", "refs/heads/topic"), value: Array(new.hex.utf8)),
            .delete(key: ClusterKeys.ref("a/b", "refs/tags/gone")),
        ])
        let meta = RepositoryMeta(isPrivate: true, defaultBranch: "trunk")
        let creating = ClusterRefs.transaction(repository: "a/b", updates: [updates[1]], creating: .init(placement: ["n1", "n2"], meta: meta))
        #expect(creating.success.contains(.put(key: ClusterKeys.placement("a/b"), value: Array("n1,n2".utf8))))
        let written = creating.success.compactMap { operation -> [UInt8]? in
            if case let .put(key, value) = operation, key == ClusterKeys.meta("a/b") { value } else { nil }
        }
        #expect(written.count == 1)
        let state = RepositoryState(repository: "a/b", kvs: written.map { EtcdKeyValue(key: ClusterKeys.meta("a/b"), value: $0) }, revision: 1)
        #expect(state.meta == meta)
        // A meta value nothing can read is taken as private.
        #expect(RepositoryState(repository: "a/b", kvs: [EtcdKeyValue(key: ClusterKeys.meta("a/b"), value: Array("[".utf8))], revision: 1).meta?.isPrivate == true)
    }
}
