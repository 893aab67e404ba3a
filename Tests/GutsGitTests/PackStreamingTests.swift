import Foundation
import Testing
@testable import GutsGit

@Suite struct PackStreamingTests {
    /// Entries larger than the reader's 1 MiB buffer, deltas against them, and a tiny
    /// base cache: zlib streams cross buffer refills and bases are re-read from the file.
    @Test func largeIncompressibleObjectsAndDeltaChainsFromAFile() throws {
        var rng = DeltaTests.Generator(state: 99)
        var versions: [RawObject] = []
        var body = DeltaTests.randomBytes(3 << 20, &rng)
        for round in 0..<6 {
            versions.append(RawObject(type: .blob, body: body))
            body.replaceSubrange((round * 1000)..<(round * 1000 + 10), with: DeltaTests.randomBytes(50, &rng))
        }
        let small = (0..<20).map { RawObject(type: .blob, body: Array("small object \($0)\n".utf8)) }
        let pack = try PackWriter.makePack(objects: versions + small, useDeltas: true)
        #expect(pack.count < 4 << 20, "deltas keep the pack near one copy of the data")
        let path = try GitTool.makeTemporaryDirectory() + "/big.pack"
        try Data(pack).write(to: URL(fileURLWithPath: path))
        var seen: [ObjectID: Int] = [:]
        let summary = try PackReader(path: path, limits: PackLimits(deltaBaseCacheBytes: 1 << 20))
            .readObjects(externalBase: { _ in nil }, visit: { seen[$0.id] = $0.body.count })
        #expect(summary.deltaCount >= 5)
        #expect(Set(seen.keys) == Set((versions + small).map(\.id)))
        // git agrees the pack is valid.
        let directory = try GitTool.makeTemporaryDirectory()
        try GitTool.shell("git init -q --bare . && git index-pack --strict --stdin >/dev/null", in: directory, input: pack)
    }

    /// A REF_DELTA whose base is produced by a later OFS_DELTA entry resolves in a
    /// second round, and the duplicate-free visit order is the pack order.
    @Test func refDeltaOnALaterDelta() throws {
        let root = RawObject(type: .blob, body: Array(String(repeating: "root line\n", count: 50).utf8))
        let middle = RawObject(type: .blob, body: root.body + Array("middle\n".utf8))
        let leaf = RawObject(type: .blob, body: middle.body + Array("leaf\n".utf8))
        var writer = PackWriter(objectCount: 3)
        let rootOffset = try writer.add(root)
        try writer.addRefDelta(baseID: middle.id, delta: try #require(Delta.make(base: middle.body, target: leaf.body)))
        try writer.addOffsetDelta(baseOffset: rootOffset, delta: try #require(Delta.make(base: root.body, target: middle.body)))
        writer.finish()
        var order: [ObjectID] = []
        let summary = try PackReader(bytes: writer.takeOutput()).readObjects(externalBase: { _ in nil }, visit: { order.append($0.id) })
        #expect(order == [root.id, leaf.id, middle.id])
        #expect(summary.deltaCount == 2 && summary.externalBaseCount == 0)
    }
}
