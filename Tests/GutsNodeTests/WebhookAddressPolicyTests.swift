import GutsGit
import Testing
@testable import GutsNode

@Suite struct WebhookAddressPolicyTests {
    typealias Policy = WebhookAddressPolicy

    func category(_ text: String) -> Policy.Category? {
        Policy.Address(text).map(Policy.category)
    }

    @Test func internalRangesAreToldApartFromPublicOnes() {
        #expect(category("127.0.0.1") == .loopback && category("::1") == .loopback && category("::ffff:127.0.0.2") == .loopback)
        #expect(category("10.1.2.3") == .private && category("172.16.0.1") == .private && category("172.31.255.255") == .private)
        #expect(category("192.168.0.1") == .private && category("fd00::1") == .private && category("100.64.0.1") == .private)
        #expect(category("169.254.169.254") == .linkLocal && category("fe80::1") == .linkLocal)
        #expect(category("0.0.0.0") == .unspecified && category("::") == .unspecified)
        #expect(category("224.0.0.1") == .multicast && category("ff02::1") == .multicast)
        #expect(category("64:ff9b::a9fe:a9fe") == .linkLocal, "NAT64 of 169.254.169.254")
        #expect(category("172.32.0.1") == .external && category("8.8.8.8") == .external && category("2606:4700::1111") == .external)
        #expect(category("not-an-ip") == nil)
    }

    @Test func rulesAllowWhatTheyName() throws {
        let loopback = try #require(Policy.Address("127.0.0.1"))
        let corp = try #require(Policy.Address("10.2.3.4"))
        #expect(Policy(allowed: []).refusal(host: "127.0.0.1", address: loopback) != nil)
        #expect(Policy(allowed: ["loopback"]).refusal(host: "127.0.0.1", address: loopback) == nil)
        #expect(Policy(allowed: ["loopback"]).refusal(host: "10.2.3.4", address: corp) != nil)
        #expect(Policy(allowed: ["10.2.0.0/16"]).refusal(host: "10.2.3.4", address: corp) == nil)
        #expect(Policy(allowed: ["10.3.0.0/16"]).refusal(host: "10.2.3.4", address: corp) != nil)
        #expect(Policy(allowed: ["*.corp.example"]).refusal(host: "ci.corp.example", address: corp) == nil)
        #expect(Policy(allowed: ["*.corp.example"]).refusal(host: "corp.example.evil", address: corp) != nil)
        #expect(Policy(allowed: ["*"]).refusal(host: "x", address: corp) == nil)
        #expect(Policy.Rule("10.0.0.0/33") == nil && Policy.Rule("bad host!") == nil && Policy.Rule("") == nil)
        if case .failure(let error) = Policy(allowed: []).choose(host: "multi", from: [loopback, try #require(Policy.Address("8.8.4.4"))]) {
            Issue.record("the public address should be chosen: \(error)")
        }
    }

    @Test func treeChangesListAddedRemovedAndModifiedPathsAcrossDirectories() throws {
        var objects: [ObjectID: (type: ObjectType, body: [UInt8])] = [:]
        func blob(_ text: String) -> ObjectID {
            let id = SHA1.objectID(type: .blob, body: Array(text.utf8))
            objects[id] = (.blob, Array(text.utf8))
            return id
        }
        func tree(_ entries: [Tree.Entry]) -> ObjectID {
            let body = Tree(entries: entries.sorted(by: Tree.gitOrder)).serialized()
            let id = SHA1.objectID(type: .tree, body: body)
            objects[id] = (.tree, body)
            return id
        }
        let old = tree([
            .init(mode: .regular, name: "keep.txt", id: blob("same")),
            .init(mode: .regular, name: "edit.txt", id: blob("v1")),
            .init(mode: .directory, name: "gone", id: tree([.init(mode: .regular, name: "a", id: blob("a"))])),
            .init(mode: .directory, name: "src", id: tree([.init(mode: .regular, name: "main.c", id: blob("1")), .init(mode: .regular, name: "x.c", id: blob("x"))])),
            .init(mode: .regular, name: "becomes-dir", id: blob("f")),
        ])
        let new = tree([
            .init(mode: .regular, name: "keep.txt", id: blob("same")),
            .init(mode: .regular, name: "edit.txt", id: blob("v2")),
            .init(mode: .directory, name: "src", id: tree([.init(mode: .regular, name: "main.c", id: blob("2")), .init(mode: .regular, name: "x.c", id: blob("x"))])),
            .init(mode: .directory, name: "becomes-dir", id: tree([.init(mode: .regular, name: "inner", id: blob("i"))])),
            .init(mode: .executable, name: "new.sh", id: blob("#!")),
        ])
        var changes = TreeChanges(limit: 100)
        try changes.compare(old: old, new: new, prefix: "", load: { objects[$0] })
        #expect(changes.added == ["becomes-dir/inner", "new.sh"])
        #expect(changes.removed == ["becomes-dir", "gone/a"])
        #expect(changes.modified == ["edit.txt", "src/main.c"])
        var root = TreeChanges(limit: 1)
        try root.compare(old: nil, new: new, prefix: "", load: { objects[$0] })
        #expect(root.added.count == 1, "lists stop at their limit")
    }
}
