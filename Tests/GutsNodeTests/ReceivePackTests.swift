import Foundation
import GutsGit
import GutsStorage
import Testing
@testable import GutsNode

/// How a push's objects reach the repository: a closed pack whole, without a walk; a pack
/// with holes through per-ref walks that refuse exactly the refs that lack objects.
@Suite struct ReceivePackTests {
    /// A linear history of `count` commits, each adding one blob; returns the objects in
    /// order and the tip.
    static func history(_ count: Int, label: String, parent: ObjectID? = nil) -> (objects: [RawObject], tip: ObjectID, blobs: [ObjectID]) {
        var objects: [RawObject] = []
        var entries: [Tree.Entry] = []
        var blobs: [ObjectID] = []
        var tip = parent
        let who = Signature(name: "T", email: "t@example.com", time: 1_700_000_000, timezone: "+0000")
        for index in 0..<count {
            let blob = RawObject(type: .blob, body: Array("\(label) file \(index)\n".utf8))
            entries.append(Tree.Entry(mode: .regular, name: "\(label)-\(index).txt", id: blob.id))
            entries.sort(by: Tree.gitOrder)
            let tree = RawObject(type: .tree, body: Tree(entries: entries).serialized())
            let commit = RawObject(type: .commit, body: Commit(
                tree: tree.id, parents: tip.map { [$0] } ?? [], author: who, committer: who, message: Array("\(label) \(index)\n".utf8)).serialized())
            objects += [blob, tree, commit]
            blobs.append(blob.id)
            tip = commit.id
        }
        return (objects, tip!, blobs)  // safe: count > 0 in every test
    }

    static func push(_ storage: Storage, _ commands: [RefCommand], objects: [RawObject], name: String = "o/r") throws -> PushReport {
        let pack = try PackWriter.makePack(objects: objects, useDeltas: true)
        let path = NSTemporaryDirectory() + "receive-pack-\(UUID().uuidString).pack"
        FileManager.default.createFile(atPath: path, contents: Data(pack))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let repository = try storage.repositories.get(name: name)
        let receivePack = ReceivePack(storage: storage, repository: repository, name: name, agent: "test")
        return receivePack.apply(ReceivePackRequest(commands: commands, capabilities: ["report-status"]), packPath: path)
    }

    @Test func aClosedPackIsAdmittedWholeWithItsCommitGraph() throws {
        let storage = Storage.inMemory()
        let main = Self.history(30, label: "main")
        let stray = RawObject(type: .blob, body: Array("no ref reaches this blob\n".utf8))
        let report = try Self.push(storage, [RefCommand(old: .zero, new: main.tip, name: "refs/heads/main")], objects: main.objects + [stray])
        #expect(report.succeeded, "\(report)")
        let repository = try #require(try storage.repositories.get(name: "o/r"))
        let objects = storage.objects(repository)
        for object in main.objects { #expect(try objects.contains(object.id)) }
        #expect(try objects.contains(stray.id), "a complete object no ref reaches is harmless, as in git")
        let node = try #require(try storage.commitGraph(repository).node(main.tip, objects: objects))
        #expect(node.generation == 30)
    }

    @Test func aPackWithAHoleRefusesOnlyTheRefsThatNeedIt() throws {
        let storage = Storage.inMemory()
        let base = Self.history(5, label: "base")
        #expect(try Self.push(storage, [RefCommand(old: .zero, new: base.tip, name: "refs/heads/main")], objects: base.objects).succeeded)

        let good = Self.history(10, label: "good", parent: base.tip)
        let holey = Self.history(10, label: "holey", parent: base.tip)
        let lost = holey.blobs[3]
        let sent = good.objects + holey.objects.filter { $0.id != lost }
        let report = try Self.push(storage, [
            RefCommand(old: .zero, new: good.tip, name: "refs/heads/good"),
            RefCommand(old: .zero, new: holey.tip, name: "refs/heads/holey"),
        ], objects: sent)
        #expect(report.unpackError == nil)
        #expect(report.refs.map(\.error) == [nil, "missing necessary objects"], "\(report)")

        let repository = try #require(try storage.repositories.get(name: "o/r"))
        let objects = storage.objects(repository)
        for object in good.objects { #expect(try objects.contains(object.id)) }
        for object in holey.objects { #expect(try !objects.contains(object.id), "nothing only the refused ref reaches is admitted") }
        let refs = try storage.refs(repository).list(prefix: "refs/heads/").map(\.name)
        #expect(refs == ["refs/heads/good", "refs/heads/main"])
    }

    @Test func aPushWhoseOnlyRefHasAHoleStoresNothing() throws {
        let storage = Storage.inMemory()
        let main = Self.history(8, label: "main")
        let sent = main.objects.filter { $0.id != main.blobs[0] }
        let report = try Self.push(storage, [RefCommand(old: .zero, new: main.tip, name: "refs/heads/main")], objects: sent)
        #expect(report.refs.map(\.error) == ["missing necessary objects"])
        #expect(try storage.repositories.get(name: "o/r") == nil, "a refused push creates no repository")
    }

    @Test func aTreeGitFsckRefusesFailsTheUnpack() throws {
        let storage = Storage.inMemory()
        let blob = RawObject(type: .blob, body: Array("x\n".utf8))
        let unsorted = [Tree.Entry(mode: .regular, name: "b", id: blob.id), Tree.Entry(mode: .regular, name: "a", id: blob.id)]
        let tree = RawObject(type: .tree, body: Tree(entries: unsorted).serialized())
        let who = Signature(name: "T", email: "t@example.com", time: 1_700_000_000, timezone: "+0000")
        let commit = RawObject(type: .commit, body: Commit(tree: tree.id, parents: [], author: who, committer: who, message: Array("m\n".utf8)).serialized())
        let report = try Self.push(storage, [RefCommand(old: .zero, new: commit.id, name: "refs/heads/main")], objects: [blob, tree, commit])
        #expect(report.unpackError?.contains("treeNotSorted") == true, "\(report)")
        #expect(report.refs.map(\.error) == ["unpacker error"])
        #expect(try storage.repositories.get(name: "o/r") == nil)
    }
}
