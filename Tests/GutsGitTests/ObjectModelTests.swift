import Testing
@testable import GutsGit

@Suite struct ObjectModelTests {
    @Test func everyObjectGitMadeRoundTripsByteExactly() throws {
        let fixture = try GitFixture.get()
        var counts: [ObjectType: Int] = [:]
        var sawGitlink = false, sawSymlink = false, sawExecutable = false, sawExtraHeader = false, sawSignature = false
        for object in fixture.objects.values {
            counts[object.type, default: 0] += 1
            switch object.type {
            case .commit:
                let commit = try Commit(parsing: object.body)
                #expect(commit.serialized() == object.body, "commit \(object.id)")
                sawExtraHeader = sawExtraHeader || commit.extraHeaders.contains { $0.key == "encoding" }
                sawSignature = sawSignature || commit.extraHeaders.contains { $0.key == "gpgsig" && $0.value.contains(10) }
            case .tree:
                let tree = try Tree(parsing: object.body)
                #expect(tree.serialized() == object.body, "tree \(object.id)")
                try TreeValidator.validate(tree)
                sawGitlink = sawGitlink || tree.entries.contains { $0.mode == .gitlink }
                sawSymlink = sawSymlink || tree.entries.contains { $0.mode == .symlink }
                sawExecutable = sawExecutable || tree.entries.contains { $0.mode == .executable }
            case .tag:
                let tag = try Tag(parsing: object.body)
                #expect(tag.serialized() == object.body, "tag \(object.id)")
                #expect(tag.tagger?.name == "Cy Committer")
            case .blob:
                #expect(try Blob(parsing: object.body).serialized() == object.body)
            }
        }
        #expect(counts[.commit, default: 0] >= 60)
        #expect(counts[.tag, default: 0] >= 3)
        #expect(sawGitlink && sawSymlink && sawExecutable && sawExtraHeader && sawSignature)
    }

    @Test func commitFieldsMatchGit() throws {
        let fixture = try GitFixture.get()
        let head = try fixture.revParse("main~2")
        let commit = try Commit(parsing: try #require(fixture.objects[head]).body)
        #expect(commit.tree == (try fixture.revParse("main~2^{tree}")))
        #expect(commit.parents == [try fixture.revParse("main~3")])
        #expect(commit.author.name == "Ada Author")
        #expect(commit.author.email == "ada@example.com")
        #expect(commit.author.timezone == "+0100")
        #expect(commit.committer.timezone == "-0230")
        let gitTime = try GitTool.text("git log -1 --format=%at main~2", in: fixture.directory)
        #expect(String(commit.author.time) == gitTime.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func malformedObjectsAreRejected() {
        #expect(throws: GitObjectError.self) { try Commit(parsing: Array("tree nothex\n\nmsg".utf8)) }
        #expect(throws: GitObjectError.self) { try Commit(parsing: Array("author A <a> 1 +0000\n\n".utf8)) }
        #expect(throws: GitObjectError.self) { try Tree(parsing: Array("100644 name".utf8)) }
        #expect(throws: GitObjectError.self) { try Tree(parsing: Array("10x644 a\0".utf8) + [UInt8](repeating: 1, count: 20)) }
        #expect(throws: GitObjectError.self) { try Tag(parsing: Array("object 123\n".utf8)) }
    }

    @Test func treeValidatorRejectsWhatFsckRejects() throws {
        let id = SHA1.objectID(type: .blob, body: [UInt8]())
        func tree(_ entries: [(FileMode, String)]) -> Tree {
            Tree(entries: entries.map { Tree.Entry(mode: $0.0, name: $0.1, id: id) })
        }
        try TreeValidator.validate(tree([(.regular, "a"), (.regular, "a.txt"), (.directory, "a0"), (.directory, "b")]))
        // "a" directory sorts as "a/", after "a.txt".
        try TreeValidator.validate(tree([(.regular, "a.txt"), (.directory, "a"), (.regular, "a0")]))
        let errors: [([(FileMode, String)], FsckMessage)] = [
            ([(.directory, "a"), (.regular, "a.txt")], .treeNotSorted),
            ([(.regular, "b"), (.regular, "a")], .treeNotSorted),
            ([(.regular, "a"), (.regular, "a")], .duplicateEntries),
            ([(.regular, "a"), (.directory, "a")], .duplicateEntries),
            // A file and a directory of one name, apart: everything between starts with it.
            ([(.regular, "a"), (.regular, "a-b"), (.directory, "a.c"), (.regular, "a.d"), (.directory, "a")], .duplicateEntries),
            ([(.regular, "a"), (.regular, "a.c"), (.directory, "a"), (.regular, "a")], .duplicateEntries),
        ]
        for (entries, message) in errors {
            for strict in [false, true] {
                #expect(throws: TreeValidator.Failure.self) { try TreeValidator.validate(tree(entries), strict: strict) }
            }
            #expect((try? TreeValidator.validate(tree(entries))) == nil)
            do { try TreeValidator.validate(tree(entries)) } catch let failure as TreeValidator.Failure { #expect(failure.message == message) }
        }
        // What git's fsck only warns about is accepted, and reported; strict mode refuses it.
        let warnings: [[(FileMode, String)]] = [
            [(.regular, "")],
            [(.regular, "x/y")],
            [(.directory, ".")],
            [(.directory, "..")],
            [(.directory, ".GiT")],
            [(.regular, ".GIT")],
            [(FileMode(rawValue: 0o100664), "a")],
        ]
        for entries in warnings {
            #expect(try TreeValidator.validate(tree(entries)).count == 1)
            #expect(throws: TreeValidator.Failure.self) { try TreeValidator.validate(tree(entries), strict: true) }
        }
        let padded = try Tree(parsing: Array("040000 d\0".utf8) + [UInt8](repeating: 7, count: 20))
        #expect(padded.entries[0].mode == .directory && padded.entries[0].zeroPaddedMode)
        #expect(try TreeValidator.validate(padded).map(\.message) == [.zeroPaddedFilemode])
    }
}
