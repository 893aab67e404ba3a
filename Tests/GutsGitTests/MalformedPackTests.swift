import GutsCompression
import Testing
@testable import GutsGit

@Suite struct MalformedPackTests {
    /// "PACK", version, count, the given entries and a correct SHA-1 trailer.
    static func pack(count: Int, entries: [[UInt8]], version: UInt8 = 2) -> [UInt8] {
        var bytes = Array("PACK".utf8) + [0, 0, 0, version]
        bytes += [UInt8(count >> 24 & 0xff), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
        for entry in entries { bytes += entry }
        var hasher = SHA1()
        hasher.update(bytes)
        return bytes + hasher.finalize().bytes
    }

    static func entry(kind: UInt8, body: [UInt8], declaredSize: Int? = nil) throws -> [UInt8] {
        var header: [UInt8] = []
        PackEntryHeader.appendKindAndSize(kind: kind, size: declaredSize ?? body.count, to: &header)
        return header + (try Zlib.compress(body))
    }

    static let hello = RawObject(type: .blob, body: Array("hello, world\n".utf8))

    static func validPack() throws -> [UInt8] {
        try PackWriter.makePack(objects: [hello, RawObject(type: .blob, body: Array("second".utf8))], useDeltas: false)
    }

    /// Reads `bytes`, expecting a PackError whose text contains `message`, and that
    /// `visit` is never called.
    static func expectRejected(_ bytes: [UInt8], limits: PackLimits = .default, _ message: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        var visited = 0
        do {
            _ = try PackReader(bytes: bytes, limits: limits).readObjects(externalBase: { _ in nil }, visit: { _ in visited += 1 })
            Issue.record("pack was accepted; expected \(message)", sourceLocation: sourceLocation)
        } catch let error as PackError {
            #expect("\(error)".contains(message), "\(error)", sourceLocation: sourceLocation)
            #expect(!"\(error)".contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        }
        #expect(visited == 0, sourceLocation: sourceLocation)
    }

    @Test func validPackIsAccepted() throws {
        var ids: [ObjectID] = []
        let summary = try PackReader(bytes: try Self.validPack()).readObjects(externalBase: { _ in nil }, visit: { ids.append($0.id) })
        #expect(ids.count == 2 && ids.contains(Self.hello.id))
        #expect(summary.countsByType == [.blob: 2])
    }

    @Test func truncatedPacks() throws {
        let pack = try Self.validPack()
        Self.expectRejected(Array(pack.dropLast(25)), "pack truncated at offset")
        Self.expectRejected(Array(pack.prefix(20)), "pack truncated")
        Self.expectRejected(Self.pack(count: 3, entries: [try Self.entry(kind: 3, body: [1, 2, 3])]), "pack truncated at offset")
    }

    @Test func headerProblems() throws {
        var pack = try Self.validPack()
        pack[0] = UInt8(ascii: "J")
        Self.expectRejected(pack, "missing PACK signature")
        Self.expectRejected(Self.pack(count: 0, entries: [], version: 4), "unsupported pack version 4")
        Self.expectRejected(try Self.validPack(), limits: PackLimits(maxObjectCount: 1), "more than the limit of 1")
        // Version 3 is read like version 2.
        let v3 = Self.pack(count: 1, entries: [try Self.entry(kind: 3, body: Self.hello.body)], version: 3)
        #expect(try PackReader(bytes: v3).readObjects(externalBase: { _ in nil }, visit: { _ in }).version == 3)
    }

    @Test func badTrailerAndTrailingGarbage() throws {
        var pack = try Self.validPack()
        pack[pack.count - 1] ^= 0xff
        Self.expectRejected(pack, "pack trailer checksum mismatch")
        var body = try Self.validPack().dropLast(20)
        body.append(contentsOf: [1, 2, 3])
        var hasher = SHA1()
        hasher.update(Array(body))
        Self.expectRejected(Array(body) + hasher.finalize().bytes, "trailing garbage")
    }

    @Test func unknownObjectType() throws {
        let good = try Self.entry(kind: 3, body: Self.hello.body)
        let bad = try Self.entry(kind: 5, body: [1, 2, 3])
        Self.expectRejected(Self.pack(count: 2, entries: [good, bad]), "unknown object type 5 at offset \(12 + good.count)")
        Self.expectRejected(Self.pack(count: 1, entries: [try Self.entry(kind: 0, body: [1])]), "unknown object type 0 at offset 12")
    }

    @Test func deltaWithMissingBase() throws {
        let missing = SHA1.objectID(type: .blob, body: Array("not in this pack".utf8))
        var writer = PackWriter(objectCount: 2)
        try writer.add(Self.hello)
        try writer.addRefDelta(baseID: missing, delta: [16, 1, 1, 65])
        writer.finish()
        Self.expectRejected(writer.takeOutput(), "delta base \(missing) not found")
    }

    @Test func deltaThatOverrunsItsBase() throws {
        var writer = PackWriter(objectCount: 2)
        let base = try writer.add(Self.hello)
        // Base is 13 bytes; copy 10 bytes from offset 8.
        let delta = try writer.addOffsetDelta(baseOffset: base, delta: [13, 10, 0x91, 8, 10])
        writer.finish()
        Self.expectRejected(writer.takeOutput(), "delta at offset \(delta) copies past the end of its base")
    }

    @Test func otherInvalidDeltas() throws {
        var writer = PackWriter(objectCount: 2)
        let base = try writer.add(Self.hello)
        try writer.addOffsetDelta(baseOffset: base, delta: [99, 1, 1, 65])
        writer.finish()
        Self.expectRejected(writer.takeOutput(), "delta expects a base of 99 bytes")
        // OFS_DELTA pointing into the middle of an entry.
        var entry: [UInt8] = []
        PackEntryHeader.appendKindAndSize(kind: 6, size: 4, to: &entry)
        let first = try Self.entry(kind: 3, body: Self.hello.body)
        PackEntryHeader.appendOffsetDistance(first.count - 1, to: &entry)
        entry += try Zlib.compress([13, 1, 1, 65])
        Self.expectRejected(Self.pack(count: 2, entries: [first, entry]), "is not an earlier entry")
    }

    @Test func deflateStreamThatExpandsPastItsDeclaredSize() throws {
        let bomb = [UInt8](repeating: 0, count: 5_000_000)
        var writer = PackWriter(objectCount: 1)
        writer.addCompressed(type: .blob, size: 100, compressed: try Zlib.compress(bomb))
        writer.finish()
        Self.expectRejected(writer.takeOutput(), "entry at offset 12 inflates past its declared size of 100 bytes")
        // And a stream that ends short of it.
        Self.expectRejected(Self.pack(count: 1, entries: [try Self.entry(kind: 3, body: [1, 2], declaredSize: 3)]),
                            "inflates to 2 bytes but its header declares 3")
        // A declared size above the limit is refused before inflating.
        Self.expectRejected(Self.pack(count: 1, entries: [try Self.entry(kind: 3, body: bomb)]),
                            limits: PackLimits(maxObjectSize: 1 << 20), "more than the limit of 1048576")
    }

    @Test func corruptZlibData() throws {
        var entry = try Self.entry(kind: 3, body: Array(repeating: 7, count: 1000))
        entry[4] ^= 0x55
        entry[5] ^= 0x55
        Self.expectRejected(Self.pack(count: 1, entries: [entry]), "at offset 12")
    }

    @Test func deltaChainDepthLimit() throws {
        var writer = PackWriter(objectCount: 4)
        var body = Self.hello.body
        var offset = try writer.add(Self.hello)
        for index in 0..<3 {
            let next = body + [UInt8(65 + index)]
            offset = try writer.addOffsetDelta(baseOffset: offset, delta: [UInt8(body.count), UInt8(next.count), 0x90 | 0x00, UInt8(body.count), 1, UInt8(65 + index)])
            body = next
        }
        writer.finish()
        let pack = writer.takeOutput()
        var last: RawObject?
        _ = try PackReader(bytes: pack).readObjects(externalBase: { _ in nil }, visit: { last = $0 })
        #expect(last?.body == Self.hello.body + [65, 66, 67])
        Self.expectRejected(pack, limits: PackLimits(maxDeltaChainDepth: 2), "deeper than the limit of 2")
    }
}
