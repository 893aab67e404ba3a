import Foundation
import Testing
@testable import GutsGit

@Suite struct PackReaderTests {
    /// Packs every object of the fixture with stock git; `options` go to pack-objects.
    static func gitPack(_ fixture: GitFixture, options: String) throws -> [UInt8] {
        try GitTool.shell("git rev-list --objects --all | git pack-objects --stdout -q \(options)", in: fixture.directory)
    }

    static func readAll(_ reader: PackReader, external: [ObjectID: RawObject] = [:]) throws -> ([RawObject], PackSummary) {
        var objects: [RawObject] = []
        let summary = try reader.readObjects(externalBase: { external[$0] }, visit: { objects.append($0) })
        return (objects, summary)
    }

    @Test(arguments: ["--delta-base-offset", "", "--delta-base-offset --depth=3 --window=50"])
    func readsGitsPackOfEveryObject(options: String) throws {
        let fixture = try GitFixture.get()
        let pack = try Self.gitPack(fixture, options: options)
        let path = try GitTool.makeTemporaryDirectory() + "/all.pack"
        try Data(pack).write(to: URL(fileURLWithPath: path))
        // A small cache forces bases to be re-read from the file.
        let reader = PackReader(path: path, limits: PackLimits(deltaBaseCacheBytes: 4096))
        let (objects, summary) = try Self.readAll(reader)
        let reachable = try fixture.revListObjects("--all")
        #expect(Set(objects.map(\.id)) == reachable)
        #expect(objects.count == reachable.count)
        #expect(summary.objectCount == reachable.count)
        #expect(summary.deltaCount > 0)
        #expect(summary.externalBaseCount == 0)
        #expect(summary.checksum == ObjectID(bytes: pack.suffix(20)))
        for object in objects {
            let expected = try #require(fixture.objects[object.id])
            #expect(object.type == expected.type)
            #expect(object.body == expected.body)
            #expect(SHA1.objectID(type: object.type, body: object.body) == object.id)
        }
        for type in ObjectType.allCases {
            #expect(summary.countsByType[type, default: 0] == objects.count(where: { $0.type == type }))
        }
        // The same bytes from memory give the same result.
        let (fromMemory, memorySummary) = try Self.readAll(PackReader(bytes: pack))
        #expect(fromMemory.map(\.id) == objects.map(\.id))
        #expect(memorySummary == summary)
    }

    @Test func resolvesThinPackAgainstExternalBases() throws {
        let fixture = try GitFixture.get()
        let pack = try GitTool.shell(
            "printf 'main\\n^main~5\\n' | git pack-objects --revs --thin --stdout -q", in: fixture.directory)
        let (objects, summary) = try Self.readAll(PackReader(bytes: pack), external: fixture.objects)
        #expect(summary.externalBaseCount > 0)
        #expect(Set(objects.map(\.id)) == (try fixture.revListObjects("main ^main~5")))
        for object in objects { #expect(fixture.objects[object.id]?.body == object.body) }
        // Without the bases, the thin pack is refused and nothing is visited.
        var visited = 0
        #expect {
            _ = try PackReader(bytes: pack).readObjects(externalBase: { _ in nil }, visit: { _ in visited += 1 })
        } throws: { error in
            (error as? PackError).map { "\($0)".hasPrefix("delta base ") && "\($0)".contains("not found") } ?? false
        }
        #expect(visited == 0)
    }
}
