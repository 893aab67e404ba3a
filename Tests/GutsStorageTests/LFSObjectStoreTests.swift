import Foundation
import Testing
@testable import GutsGit
@testable import GutsStorage

@Suite struct LFSObjectStoreTests {
    static func oid(_ bytes: [UInt8]) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    @Test func sha256MatchesTheKnownDigests() {
        #expect(Self.oid([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.oid(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func anUploadIsInstalledOnlyWhenItsSizeAndHashAreRight() throws {
        let directory = try TemporaryDirectory()
        let store = LFSObjectStore(directory: directory.path + "/lfs")
        let content = Array(repeating: UInt8(7), count: 3 << 20)
        let oid = Self.oid(content)

        let wrong = try store.beginUpload(repositoryID: 1, oid: String(repeating: "0", count: 64), size: content.count)
        try wrong.write(content)
        #expect(throws: LFSObjectError.self) { try wrong.finish() }
        let short = try store.beginUpload(repositoryID: 1, oid: oid, size: content.count)
        try short.write(content.prefix(100))
        #expect(throws: LFSObjectError.sizeMismatch(expected: content.count, actual: 100)) { try short.finish() }
        let long = try store.beginUpload(repositoryID: 1, oid: oid, size: 10)
        #expect(throws: LFSObjectError.self) { try long.write(content) }
        long.abandon()
        #expect(store.size(repositoryID: 1, oid: oid) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.temporaryDirectory).isEmpty)
        #expect(throws: LFSObjectError.invalidOID("../../etc")) { try store.beginUpload(repositoryID: 1, oid: "../../etc", size: 1) }

        let upload = try store.beginUpload(repositoryID: 1, oid: oid, size: content.count)
        for start in stride(from: 0, to: content.count, by: 1 << 20) { try upload.write(content[start..<min(content.count, start + (1 << 20))]) }
        #expect(try upload.finish())
        #expect(store.size(repositoryID: 1, oid: oid) == content.count)
        #expect(store.size(repositoryID: 2, oid: oid) == nil, "objects belong to one repository")
        #expect(FileManager.default.contents(atPath: store.path(repositoryID: 1, oid: oid)) == Data(content))
        #expect(store.totals() == .init(objects: 1, bytes: content.count))

        let again = try store.beginUpload(repositoryID: 1, oid: oid, size: content.count)
        try again.write(content)
        #expect(try again.finish() == false, "a second upload of the same object changes nothing")
        #expect(store.totals() == .init(objects: 1, bytes: content.count))
        #expect(LFSObjectStore(directory: directory.path + "/lfs").totals() == .init(objects: 1, bytes: content.count), "totals walk the disk")
        store.removeAll(repositoryID: 1)
        #expect(store.totals() == .init(objects: 0, bytes: 0))
    }
}
