import Foundation
@testable import GutsMaintenance
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
    refs.txt export-subst
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
    echo 'd=[$Format:%d$] D=[$Format:%D$] $Format:%ar|%cr|%aR$' > refs.txt
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
    git tag v1 main~1 && git tag -a -m 'annotated' v2 main~1 && git branch feature && git tag -a -m 'on a tag' v3 v2
    """#

    /// The time the archives' relative dates are measured from (git reads it from
    /// `GIT_TEST_DATE_NOW`): some months after the commits.
    static let now = 1_712_345_678

    @Test func tarIsByteIdenticalAndZipHasTheSameEntries() async throws {
        let directory = try Shell.temporaryDirectory("export-attributes")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Shell.check(Self.script, in: directory)
        let storage = Storage.inMemory()
        try await GitMigrator(storage: storage, lfs: LFSObjectStore(dataDirectory: directory + "/data")).importRepository(from: directory + "/src", as: "t/attributes", scratch: directory)
        let builder = ArchiveBuilder(storage: storage, repository: try #require(try storage.repositories.get(name: "t/attributes")))
        let first = try Shell.check("git -C src rev-parse main~1", in: directory).trimmingCharacters(in: .whitespacesAndNewlines)
        for ref in ["main", first] {
            let commit = try builder.resolve(ref).commit
            let tar = try builder.build(commit: commit, format: .tar, prefix: "p", now: Date(timeIntervalSince1970: Double(Self.now)))
            try Shell.check("GIT_TEST_DATE_NOW=\(Self.now) git -C src archive --format=tar --prefix=p/ \(commit.hex) > git.tar", in: directory)
            let theirs = try #require(FileManager.default.contents(atPath: directory + "/git.tar"))
            let firstDifference = zip(tar, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(tar.count == theirs.count && firstDifference == nil, "\(ref): first difference at \(firstDifference ?? -1)")

            // Streamed in small chunks, tar.gz inflates to the same tar.
            var chunks = 0
            var gz: [UInt8] = []
            try builder.write(commit: commit, format: .tarGz, prefix: "p", chunkBytes: 1024, now: Date(timeIntervalSince1970: Double(Self.now))) { gz += $0; chunks += 1 }
            #expect(chunks > 2)
            FileManager.default.createFile(atPath: directory + "/ours.tar.gz", contents: Data(gz))
            try Shell.check("gzip -dc ours.tar.gz | cmp - git.tar", in: directory)

            let zip = try builder.build(commit: commit, format: .zip, prefix: "p", now: Date(timeIntervalSince1970: Double(Self.now)))
            FileManager.default.createFile(atPath: directory + "/ours.zip", contents: Data(zip))
            try Shell.check("GIT_TEST_DATE_NOW=\(Self.now) git -C src archive --format=zip --prefix=p/ \(commit.hex) > git.zip", in: directory)
            let describe = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist(): print(i.filename, oct(i.external_attr >> 16), z.read(i).hex())\n"
            FileManager.default.createFile(atPath: directory + "/describe.py", contents: Data(describe.utf8))
            #expect(try Shell.check("python3 describe.py ours.zip", in: directory) == Shell.check("python3 describe.py git.zip", in: directory))
        }
        let listing = try Shell.check("tar -tf git.tar", in: directory)
        for gone in ["app.log", "build/", "c.tmp", "secret/key", "keep/secret/", ".gitattributes", "inner/gone.txt"] { #expect(!listing.contains(gone), "\(gone)") }
        for kept in ["nested/kept.log", "docs/a/b/", "secretfile", "valued.txt", "docs/a/readme.md", "logs/today.txt"] { #expect(listing.contains(kept), "\(kept)") }
        #expect(try Shell.check("tar -xOf git.tar p/VERSION", in: directory).hasPrefix("ver "))
        #expect(!(try Shell.check("tar -xOf git.tar p/VERSION", in: directory).contains("$Format")))
        // The last git.tar is of main~1, which the tags decorate (v3 through v2's chain).
        let refsFile = try Shell.check("tar -xOf git.tar p/refs.txt", in: directory)
        #expect(refsFile.hasPrefix("d=[ (tag: v3, tag: v2, tag: v1)] D=[tag: v3, tag: v2, tag: v1] ") && refsFile.contains(" months ago|"), "\(refsFile)")
    }

    /// Archives whose expansions depend on refs or the time are cached per value of them:
    /// a new ref or a later day rebuilds the archive, anything else is a cache hit.
    @Test func cachedArchivesFollowRefsAndTime() async throws {
        let directory = try Shell.temporaryDirectory("export-subst-cache")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Shell.check(Self.script, in: directory)
        let storage = Storage.inMemory()
        try await GitMigrator(storage: storage, lfs: LFSObjectStore(dataDirectory: directory + "/data")).importRepository(from: directory + "/src", as: "t/attributes", scratch: directory)
        let repository = try #require(try storage.repositories.get(name: "t/attributes"))
        let service = ArchiveService(storage: storage, cache: ArchiveCache(dataDirectory: directory + "/data"))
        func refsFile(_ served: ArchiveService.Served) throws -> String {
            try Shell.check("tar -xOf \(served.entry.path) attributes-main/refs.txt", in: directory)
        }
        func gitRefsFile(now: Int) throws -> String {
            try Shell.check("GIT_TEST_DATE_NOW=\(now) git -C src archive --prefix=attributes-main/ main refs.txt | tar -xO", in: directory)
        }
        let now = Date(timeIntervalSince1970: Double(Self.now))
        let first = try await service.archive(repository: repository, ref: "main", format: .tar, now: now)
        #expect(!first.entry.hit && !first.immutable)
        #expect(try refsFile(first) == gitRefsFile(now: Self.now))
        let again = try await service.archive(repository: repository, ref: "main", format: .tar, now: now.addingTimeInterval(60))
        #expect(again.entry.hit && again.etag == first.etag && again.entry.path == first.entry.path)

        try storage.refs(repository).transaction([RefUpdate(name: "refs/tags/late", expected: nil, new: first.target.commit)])
        try Shell.check("git -C src tag late main", in: directory)
        let tagged = try await service.archive(repository: repository, ref: "main", format: .tar, now: now)
        #expect(!tagged.entry.hit && tagged.etag != first.etag)
        #expect(try refsFile(tagged) == gitRefsFile(now: Self.now))
        #expect(try refsFile(tagged).contains("tag: late"))

        let later = Self.now + 86_400 * 400
        let aged = try await service.archive(repository: repository, ref: "main", format: .tar, now: Date(timeIntervalSince1970: Double(later)))
        #expect(!aged.entry.hit && aged.etag != tagged.etag)
        #expect(try refsFile(aged) == gitRefsFile(now: later))
        #expect(try refsFile(aged).contains("1 year, "))
    }

    /// Decorations of refs git's archive shows but the fixture has not: remote-tracking
    /// branches, other namespaces and replace refs (expected values from git 2.39's output
    /// for the same refs).
    @Test func decorationsOrderAndNameRefsAsGitArchive() {
        let commit = ObjectID(hex: String(repeating: "1", count: 40))!
        let other = ObjectID(hex: String(repeating: "2", count: 40))!
        let refs: [(name: String, peeled: ObjectID?, throughTag: Bool)] = [
            ("refs/tags/v2", commit, true), ("refs/heads/main", commit, false), ("refs/remotes/origin/main", commit, false),
            ("refs/notes/foo", commit, false), ("refs/heads/zz", commit, false), ("refs/tags/v1", commit, false),
            ("refs/heads/elsewhere", other, false), ("refs/replace/\(commit.hex)", other, false), ("refs/replace/\(other.hex)", commit, false),
        ]
        #expect(ExportSubstitution.decorations(of: commit, refs: refs, head: "refs/heads/main")
            == ["HEAD -> main", "tag: v2", "tag: v1", "replaced", "origin/main", "refs/notes/foo", "zz"])
        #expect(ExportSubstitution.decorations(of: commit, refs: refs, head: "refs/heads/elsewhere")
            == ["tag: v2", "tag: v1", "replaced", "origin/main", "refs/notes/foo", "zz", "main"])
        #expect(ExportSubstitution.decorations(of: other, refs: refs, head: "refs/heads/main") == ["replaced", "elsewhere"])
    }

    /// Relative dates against `git log --format=%cr` at the same fixed moment, across
    /// each of git's ranges and their edges.
    @Test func relativeDatesMatchGit() throws {
        let directory = try Shell.temporaryDirectory("relative-dates")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let now = 1_750_000_000
        let minute = 60, hour = 3600, day = 86_400
        let ages = [-5, 0, 1, 89, 90, 91, 149, 150, 45 * minute, 89 * minute + 29, 89 * minute + 30, 2 * hour, 35 * hour + 29 * minute,
                    35 * hour + 31 * minute, 3 * day, 13 * day + 11 * hour, 13 * day + 12 * hour, 20 * day, 69 * day + 11 * hour,
                    70 * day, 200 * day, 364 * day + 11 * hour, 365 * day, 400 * day, 730 * day, 1000 * day, 1824 * day,
                    1825 * day, 3000 * day, 10000 * day]
        let commits = ages.map { "GIT_COMMITTER_DATE='\(now - $0) +0000' git commit -q --allow-empty -m x" }.joined(separator: "\n")
        try Shell.check("git init -q -b main r && cd r\n\(commits)", in: directory)
        let lines = try Shell.check("GIT_TEST_DATE_NOW=\(now) git -C r log --format='%ct|%cr'", in: directory).split(separator: "\n")
        #expect(lines.count == ages.count)
        for line in lines {
            let fields = line.split(separator: "|", maxSplits: 1).map(String.init)
            let time = try #require(Int64(fields[0]))
            #expect(ExportSubstitution.relativeDate(time, now: Int64(now)) == fields[1], "\(Int64(now) - time) seconds")
        }
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
