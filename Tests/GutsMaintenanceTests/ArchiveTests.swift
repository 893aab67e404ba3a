import Foundation
import GutsTestSupport
import GutsMaintenance
import GutsGit
import GutsStorage
import Testing

@Suite struct ArchiveTests {
    @Test func tarIsByteIdenticalToGitArchive() async throws {
        let fixture = try await ArchiveFixture()
        defer { fixture.cleanup() }
        let builder = ArchiveBuilder(storage: fixture.storage, repository: fixture.repository)
        for ref in ["main", "v1"] {
            let target = try builder.resolve(ref)
            let ours = try builder.build(commit: target.commit, format: .tar, prefix: "proj")
            try Shell.check("git archive --format=tar --prefix=proj/ \(target.commit.hex) > ../git.tar", in: fixture.source)
            let theirs = [UInt8](FileManager.default.contents(atPath: fixture.directory + "/git.tar")!)
            #expect(ours.count == theirs.count)
            let firstDifference = zip(ours, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(firstDifference == nil, "first difference at byte \(firstDifference ?? -1) for \(ref)")
        }
        let noPrefix = try builder.build(commit: try builder.resolve("main").commit, format: .tar, prefix: "")
        try Shell.check("git archive --format=tar main > ../plain.tar", in: fixture.source)
        #expect(noPrefix == [UInt8](FileManager.default.contents(atPath: fixture.directory + "/plain.tar")!))
    }

    @Test func tarGzIsDeterministicAndInflatesToTheTar() async throws {
        let fixture = try await ArchiveFixture()
        defer { fixture.cleanup() }
        let builder = ArchiveBuilder(storage: fixture.storage, repository: fixture.repository)
        let commit = try builder.resolve("main").commit
        let first = try builder.build(commit: commit, format: .tarGz, prefix: "p")
        let second = try builder.build(commit: commit, format: .tarGz, prefix: "p")
        #expect(first == second)
        #expect(Array(first[4..<8]) == [0, 0, 0, 0], "gzip mtime must be zero")
        FileManager.default.createFile(atPath: fixture.directory + "/ours.tar.gz", contents: Data(first))
        try Shell.check("gzip -dc ours.tar.gz > ours.tar && git -C src archive --format=tar --prefix=p/ main > git.tar && cmp ours.tar git.tar", in: fixture.directory)
    }

    @Test func zipHasTheEntriesOfGitArchive() async throws {
        let fixture = try await ArchiveFixture()
        defer { fixture.cleanup() }
        let builder = ArchiveBuilder(storage: fixture.storage, repository: fixture.repository)
        let commit = try builder.resolve("main").commit
        let ours = try builder.build(commit: commit, format: .zip, prefix: "p")
        #expect(ours == (try builder.build(commit: commit, format: .zip, prefix: "p")))
        FileManager.default.createFile(atPath: fixture.directory + "/ours.zip", contents: Data(ours))
        try Shell.check("git -C src archive --format=zip --prefix=p/ main > git.zip", in: fixture.directory)
        let describe = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            print(z.comment.decode())
            for i in z.infolist():
                mode = i.external_attr >> 16
                print(i.filename, oct(mode), i.is_dir(), z.read(i).hex())
            """
        FileManager.default.createFile(atPath: fixture.directory + "/describe.py", contents: Data(describe.utf8))
        let mine = try Shell.check("python3 describe.py ours.zip", in: fixture.directory)
        let git = try Shell.check("python3 describe.py git.zip", in: fixture.directory)
        #expect(mine == git)
        #expect(mine.hasPrefix(commit.hex))
    }
}
