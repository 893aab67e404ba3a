import GutsCompression
import Testing
@testable import GutsGit

@Suite struct ObjectIDTests {
    @Test func emptyBlobHasGitsWellKnownID() {
        #expect(SHA1.objectID(type: .blob, body: [UInt8]()).hex == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
    }

    @Test func hexRoundTripsAndOrdersLikeBytes() throws {
        let a = try #require(ObjectID(hex: "00000000000000000000000000000000000000ff"))
        let b = try #require(ObjectID(hex: "0100000000000000000000000000000000000000"))
        #expect(a < b)
        #expect(ObjectID(hex: a.hex) == a)
        #expect(ObjectID(hex: "XYZ") == nil)
        #expect(ObjectID(hex: String(repeating: "g", count: 40)) == nil)
    }

    @Test func zlibRoundTripAndBombGuard() throws {
        let data = [UInt8](repeating: 7, count: 100_000)
        let packed = try Zlib.compress(data)
        #expect(try Zlib.decompress(packed, expectedSize: data.count) == data)
        #expect(throws: ZlibError.self) { try Zlib.decompress(packed, expectedSize: 1000) }
    }
}
