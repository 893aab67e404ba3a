import Foundation
import GutsAdmin
import GutsGit
import GutsStorage
import GutsTestSupport
import Testing

/// Archives of a tree whose `.gitattributes` use `export-ignore` and `export-subst`,
/// compared with stock `git archive`.
@Suite struct ExportAttributesTests {
    static let script = #"""
    git init -q -b main src && cd src
    mkdir -p build docs/a/b secret keep/secret vendor/lib nested/inner logs
    cat > .gitattributes <<'ATTR'
    # comments and blank lines are skipped

    *.log export-ignore
    /build export-ignore
    docs/**/*.tmp export-ignore
    secret/ export-ignore
    .gitattributes export-ignore
    VERSION export-subst
    *.in export-subst
    unset.txt export-subst
    unset.txt -export-subst
    valued.txt export-ignore=no
    ATTR
    cat > nested/.gitattributes <<'ATTR'
    *.log -export-ignore
    inner export-ignore
    local.in -export-subst
    ATTR
    echo 'ver $Format:%H %h %T %t %P %p$ end' > VERSION
    printf '$Format:%%an <%%ae> %%ad|%%ai|%%aI|%%aD|%%at%%n%%cn <%%ce> %%cd|%%ci|%%cI|%%cD|%%ct$\nsubject: $Format:%%s$\nbody: [$Format:%%b$]\nraw: $Format:%%%%x %%x41 %%z$\nno end $Format:%%H\n' > info.in
    echo '$Format:%H$' > unset.txt
    echo 'kept' > valued.txt
    echo '$Format:%H$' > nested/local.in
    echo 'x' > app.log; echo 'y' > nested/kept.log; echo 'z' > nested/inner/gone.txt
    echo b > build/out.o; echo t > docs/a/b/c.tmp; echo d > docs/a/readme.md; echo s > secret/key; echo k > keep/secret/not-a-dir-rule
    printf 'secret\n' > secretfile
    echo l > logs/today.txt
    git add -A
    GIT_AUTHOR_DATE='1700000000 +0200' GIT_COMMITTER_DATE='1700003600 -0530' git commit -q -m 'Release' -m 'The body
    of the message.'
    echo more >> docs/a/readme.md && GIT_COMMITTER_DATE='1700007200 +0000' git commit -qam 'second
    line of the subject'
    """#

    @Test func tarIsByteIdenticalAndZipHasTheSameEntries() throws {
        let directory = try Shell.temporaryDirectory("export-attributes")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Shell.check(Self.script, in: directory)
        let storage = Storage.inMemory()
        try GitMigrator(storage: storage, lfs: LFSObjectStore(dataDirectory: directory + "/data")).importRepository(from: directory + "/src", as: "t/attributes", scratch: directory)
        let builder = ArchiveBuilder(storage: storage, repository: try #require(try storage.repositories.get(name: "t/attributes")))
        let first = try Shell.check("git -C src rev-parse main~1", in: directory).trimmingCharacters(in: .whitespacesAndNewlines)
        for ref in ["main", first] {
            let commit = try builder.resolve(ref).commit
            let tar = try builder.build(commit: commit, format: .tar, prefix: "p")
            try Shell.check("git -C src archive --format=tar --prefix=p/ \(commit.hex) > git.tar", in: directory)
            let theirs = try #require(FileManager.default.contents(atPath: directory + "/git.tar"))
            let firstDifference = zip(tar, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(tar.count == theirs.count && firstDifference == nil, "\(ref): first difference at \(firstDifference ?? -1)")

            // Streamed in small chunks, tar.gz inflates to the same tar.
            var chunks = 0
            var gz: [UInt8] = []
            try builder.write(commit: commit, format: .tarGz, prefix: "p", chunkBytes: 1024) { gz += $0; chunks += 1 }
            #expect(chunks > 2)
            FileManager.default.createFile(atPath: directory + "/ours.tar.gz", contents: Data(gz))
            try Shell.check("gzip -dc ours.tar.gz | cmp - git.tar", in: directory)

            let zip = try builder.build(commit: commit, format: .zip, prefix: "p")
            FileManager.default.createFile(atPath: directory + "/ours.zip", contents: Data(zip))
            try Shell.check("git -C src archive --format=zip --prefix=p/ \(commit.hex) > git.zip", in: directory)
            let describe = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist(): print(i.filename, oct(i.external_attr >> 16), z.read(i).hex())\n"
            FileManager.default.createFile(atPath: directory + "/describe.py", contents: Data(describe.utf8))
            #expect(try Shell.check("python3 describe.py ours.zip", in: directory) == Shell.check("python3 describe.py git.zip", in: directory))
        }
        let listing = try Shell.check("tar -tf git.tar", in: directory)
        for gone in ["app.log", "build/", "c.tmp", "secret/key", "keep/secret/", ".gitattributes", "inner/gone.txt"] { #expect(!listing.contains(gone), "\(gone)") }
        for kept in ["nested/kept.log", "docs/a/b/", "secretfile", "valued.txt", "docs/a/readme.md", "logs/today.txt"] { #expect(listing.contains(kept), "\(kept)") }
        #expect(try Shell.check("tar -xOf git.tar p/VERSION", in: directory).hasPrefix("ver "))
        #expect(!(try Shell.check("tar -xOf git.tar p/VERSION", in: directory).contains("$Format")))
    }

    @Test func patternsMatchLikeGitignore() {
        func match(_ pattern: String, _ path: String, pathname: Bool = true) -> Bool {
            ExportAttributes.wildmatch(Array(pattern.utf8)[...], Array(path.utf8)[...], pathname: pathname)
        }
        #expect(match("*.log", "a.log"))
        #expect(!match("*.log", "a/b.log"))
        #expect(match("*.log", "a/b.log", pathname: false))
        #expect(match("docs/**/*.tmp", "docs/x.tmp"))
        #expect(match("docs/**/*.tmp", "docs/a/b/x.tmp"))
        #expect(match("**/x", "a/b/x") && match("a/**", "a/b/c"))
        #expect(match("[a-c]?[!x]", "bzy") && !match("[a-c]?[!x]", "bzx") && !match("[a-c]", "d"))
        #expect(match("\\*", "*") && !match("\\*", "a"))
    }
}
