import Foundation
import GutsTestSupport
import Testing

/// Old histories hold objects `git fsck` only warns about; git's receive-pack stores them
/// as they came, and so must the node (unless told to be strict).
@Suite(.serialized) struct LegacyObjectTests {
    /// A repository whose only commit has a tree with a `100664` file and a zero-padded
    /// `040000` directory, an author without an email and a committer date that overflows.
    static func legacyRepository() throws -> (path: String, commit: String, tree: String) {
        let path = try Shell.temporaryDirectory("legacy")
        let script = #"""
        git init -q -b main .
        blob=$(echo hello | git hash-object -w --stdin)
        sub=$(printf '100644 inner.txt\0' | cat - <(echo "$blob" | xxd -r -p) | git hash-object -t tree -w --stdin)
        tree=$( { printf '040000 dir\0'; echo "$sub" | xxd -r -p; printf '100664 file.txt\0'; echo "$blob" | xxd -r -p; } | git hash-object -t tree -w --stdin --literally)
        commit=$(printf 'tree %s\nauthor No Email 1234567890 +0000\ncommitter Some One <one@example.invalid> 99999999999999999999 +0000\n\nlegacy shapes\n' "$tree" | git hash-object -t commit -w --stdin --literally)
        git update-ref refs/heads/main "$commit"
        echo "$commit $tree"
        """#
        let ids = try Shell.check(script, in: path).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (path, ids[0], ids[1])
    }

    @Test func legacyShapesPushAndCloneByteForByte() throws {
        let (source, commit, tree) = try Self.legacyRepository()
        defer { try? FileManager.default.removeItem(atPath: source) }
        #expect(try Shell.run("git fsck --strict", in: source).status != 0, "git itself flags these objects")
        let node = try NodeProcess()
        try Shell.check("git push -q '\(node.authenticatedURL("old/history"))' main", in: source)
        let work = try Shell.temporaryDirectory("legacy-clone")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Shell.check("git clone -q --bare '\(node.anonymousURL("old/history"))' clone.git", in: work)
        let clone = work + "/clone.git"
        #expect(try Shell.check("git rev-parse main", in: clone).trimmingCharacters(in: .newlines) == commit)
        #expect(try Shell.check("git rev-parse main^{tree}", in: clone).trimmingCharacters(in: .newlines) == tree)
        for object in [commit, tree] {
            #expect(try Shell.check("git cat-file -p \(object) | sha1sum", in: clone) == Shell.check("git cat-file -p \(object) | sha1sum", in: source))
        }
        #expect(try Shell.check("git cat-file tree \(tree) | grep -ac 100664", in: clone) == "1\n", "the legacy mode is stored as it came")
        let log = try HTTPClientSync.get(node.baseURL + "/api/repos/old/history/commits")
        #expect(log.contains(commit))
    }

    @Test func strictNodesRefuseWhatFsckWarnsAbout() throws {
        let (source, _, _) = try Self.legacyRepository()
        defer { try? FileManager.default.removeItem(atPath: source) }
        let config = source + "/strict.json"
        try Data(#"{"strictObjects": true}"#.utf8).write(to: URL(fileURLWithPath: config))
        let node = try NodeProcess(extraArguments: ["--config", config])
        let push = try Shell.run("git push '\(node.authenticatedURL("old/strict"))' main", in: source)
        #expect(push.status != 0)
        #expect(["badIdentity", "badFilemode", "zeroPaddedFilemode"].contains { push.stderr.contains($0) }, "\(push.stderr)")
        let lookup = try Shell.run("curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer \(NodeProcess.writeToken)' \(node.baseURL)/api/repos/old/strict", in: source)
        #expect(lookup.stdout == "404", "a refused push creates no repository")
    }
}

/// A one-line synchronous GET for tests that need no status or headers.
enum HTTPClientSync {
    static func get(_ url: String) throws -> String {
        try Shell.check("curl -sS --max-time 30 '\(url)'", in: NSTemporaryDirectory())
    }
}
