import Foundation
import GutsCompression
import Testing
@testable import GutsGit

@Suite struct PackWriterTests {
    /// Indexes `pack` with `git index-pack --strict` in a new bare repository, points
    /// the fixture's refs at it and runs `git fsck --strict`.
    static func checkWithGit(_ pack: [UInt8], refs: String) throws -> String {
        let directory = try GitTool.makeTemporaryDirectory()
        try GitTool.shell("git init -q --bare .", in: directory)
        let output = try GitTool.text("git index-pack --strict --stdin", in: directory, input: pack)
        try GitTool.shell("git update-ref --stdin", in: directory, input: Array(refs.utf8))
        try GitTool.shell("git fsck --strict --no-dangling 2>&1", in: directory)
        return output
    }

    static func fixtureRefs(_ fixture: GitFixture) throws -> String {
        try GitTool.text("git for-each-ref --format='create %(refname) %(objectname)'", in: fixture.directory)
    }

    @Test(arguments: [true, false])
    func makePackPassesGitIndexPackStrict(useDeltas: Bool) throws {
        let fixture = try GitFixture.get()
        let reachable = try fixture.revListObjects("--all")
        let objects = reachable.map { fixture.objects[$0]! }
        let pack = try PackWriter.makePack(objects: objects, useDeltas: useDeltas)
        let output = try Self.checkWithGit(pack, refs: try Self.fixtureRefs(fixture))
        // index-pack prints the pack's name: its trailer checksum.
        #expect(output.contains(ObjectID(bytes: pack.suffix(20)).hex))
        var read: [ObjectID: RawObject] = [:]
        let summary = try PackReader(bytes: pack).readObjects(externalBase: { _ in nil }, visit: { read[$0.id] = $0 })
        #expect(Set(read.keys) == reachable)
        #expect((summary.deltaCount > 0) == useDeltas)
        if useDeltas {
            let plain = try PackWriter.makePack(objects: objects, useDeltas: false)
            #expect(pack.count < plain.count)
        }
    }

    @Test func incrementalWriterWithCompressedCopiesAndRefDeltas() throws {
        let base = RawObject(type: .blob, body: Array(String(repeating: "shared text line\n", count: 200).utf8))
        var edited = base.body
        edited.append(contentsOf: Array("one more line\n".utf8))
        let target = RawObject(type: .blob, body: edited)
        let third = RawObject(type: .blob, body: edited + Array("third\n".utf8))
        let small = RawObject(type: .blob, body: Array("small".utf8))
        var writer = PackWriter(objectCount: 4)
        var pack = writer.takeOutput()
        #expect(pack.count == 12)
        let baseOffset = writer.addCompressed(type: .blob, size: base.body.count, compressed: try Zlib.compress(base.body))
        #expect(baseOffset == 12)
        let targetOffset = try writer.addOffsetDelta(baseOffset: baseOffset, delta: try #require(Delta.make(base: base.body, target: target.body)))
        pack += writer.takeOutput()
        #expect(targetOffset > baseOffset && pack.count > targetOffset)
        try writer.addRefDelta(baseID: target.id, delta: try #require(Delta.make(base: target.body, target: third.body)))
        try writer.add(small)
        #expect(throws: PackWriterError.self) { try writer.addOffsetDelta(baseOffset: 1_000_000, delta: [1, 1, 1, 65]) }
        let checksum = writer.finish()
        pack += writer.takeOutput()
        #expect(ObjectID(bytes: pack.suffix(20)) == checksum)
        let directory = try GitTool.makeTemporaryDirectory()
        try GitTool.shell("git init -q --bare .", in: directory)
        let output = try GitTool.text("git index-pack --strict --stdin && git cat-file --batch-all-objects --batch", in: directory, input: pack)
        #expect(output.hasPrefix("pack\t\(checksum.hex)\n"))
        let parsed = try GitTool.parseBatch(Array(output.utf8.dropFirst(46)))
        #expect(Set(parsed.keys) == [base.id, target.id, third.id, small.id])
        #expect(parsed[third.id]?.body == third.body)
    }
}
