import Foundation
import GutsTestSupport
import Testing

/// Partial clone (`git clone --filter=...`) against a real `guts serve`, with the stock git.
@Suite(.serialized) struct PartialCloneTests {
    static let sample: Result<String, any Error> = Result { try SampleRepository.make() }

    /// A node holding every branch and tag of the sample repository as `acme/project`.
    static func node() throws -> (node: NodeProcess, source: String) {
        let node = try NodeProcess()
        let source = try sample.get()
        try Shell.check("git push -q '\(node.authenticatedURL("acme/project"))' 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'", in: source)
        return (node, source)
    }

    /// `type size` of every object the clone holds locally (none are fetched by listing).
    static func localObjects(in clone: String) throws -> [(type: String, size: Int)] {
        try Shell.check("git cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)'", in: clone)
            .split(separator: "\n").map { line in
                let parts = line.split(separator: " ")
                return (String(parts[0]), Int(parts[1]) ?? -1)
            }
    }

    static func count(_ type: String, in objects: [(type: String, size: Int)]) -> Int {
        objects.filter { $0.type == type }.count
    }

    @Test(arguments: [0, 2])
    func bloblessCloneFetchesBlobsLazily(protocolVersion: Int) async throws {
        let (node, source) = try Self.node()
        let work = try Shell.temporaryDirectory("partial-v\(protocolVersion)")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let client = HTTPClient(baseURL: node.baseURL)
        let url = node.anonymousURL("acme/project")

        let fullBefore = try await GitEndToEndTests.bytesSent(client)
        try Shell.check("git -c protocol.version=\(protocolVersion) clone -q --bare '\(url)' full.git", in: work)
        let fullBytes = try await GitEndToEndTests.bytesSent(client) - fullBefore

        let before = try await GitEndToEndTests.bytesSent(client)
        try Shell.check("git -c protocol.version=\(protocolVersion) clone -q --no-checkout --filter=blob:none '\(url)' clone", in: work)
        let partialBytes = try await GitEndToEndTests.bytesSent(client) - before
        let clone = work + "/clone"
        let objects = try Self.localObjects(in: clone)
        #expect(Self.count("blob", in: objects) == 0, "a blob-less clone holds no blobs")
        #expect(Self.count("commit", in: objects) == Int(try Shell.check("git rev-list --all --count", in: source).trimmed))
        #expect(Self.count("tree", in: objects) == Int(try Shell.check("git rev-list --all --objects | cut -d' ' -f1 | git cat-file --batch-check='%(objecttype)' | grep -c '^tree'", in: source).trimmed))
        // assets/blob.bin alone is 20,000 random bytes, which no compression shrinks.
        #expect(partialBytes + 20_000 < fullBytes, "partial clone sent \(partialBytes) bytes, a full one \(fullBytes)")
        #expect(try Shell.check("git config remote.origin.promisor", in: clone).trimmed == "true")

        // Checkouts, log -p and blame fetch the blobs they need, one lazy fetch at a time.
        try Shell.check("git -c protocol.version=\(protocolVersion) checkout -q main", in: clone)
        #expect(try Shell.check("git rev-parse HEAD", in: clone) == Shell.check("git rev-parse main", in: source))
        #expect(try Shell.check("git status --porcelain", in: clone).isEmpty)
        #expect(try String(contentsOfFile: clone + "/src/main.txt", encoding: .utf8) == Shell.check("git show main:src/main.txt", in: source))
        try Shell.check("git -c protocol.version=\(protocolVersion) checkout -q feature/5", in: clone)
        #expect(try String(contentsOfFile: clone + "/docs/feature-5.md", encoding: .utf8) == Shell.check("git show feature/5:docs/feature-5.md", in: source))
        let log = try Shell.check("git -c protocol.version=\(protocolVersion) log -p -n 20 --format=%H feature/5 -- src/main.txt", in: clone)
        #expect(log == (try Shell.check("git log -p -n 20 --format=%H feature/5 -- src/main.txt", in: source)))
        let blame = try Shell.check("git -c protocol.version=\(protocolVersion) blame --porcelain main -- docs/log.md", in: clone)
        #expect(blame == (try Shell.check("git blame --porcelain main -- docs/log.md", in: source)))
        #expect(Self.count("blob", in: try Self.localObjects(in: clone)) > 0)
        try Shell.check("git fsck --no-dangling", in: clone)
    }

    @Test func blobLimitTreeDepthAndCombinedFilters() async throws {
        let (node, source) = try Self.node()
        let work = try Shell.temporaryDirectory("partial-filters")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let url = node.anonymousURL("acme/project")
        let sourceObjects = try Shell.check("git rev-list --all --objects | cut -d' ' -f1 | git cat-file --batch-check='%(objecttype) %(objectsize)'", in: source)
            .split(separator: "\n").map { $0.split(separator: " ") }
        let smallBlobs = sourceObjects.filter { $0[0] == "blob" && Int($0[1])! < 1024 }.count
        #expect(sourceObjects.contains { $0[0] == "blob" && Int($0[1])! >= 1024 }, "the sample has blobs over the limit")

        try Shell.check("git clone -q --no-checkout --filter=blob:limit=1k '\(url)' limit", in: work)
        let limited = try Self.localObjects(in: work + "/limit")
        #expect(limited.filter { $0.type == "blob" }.allSatisfy { $0.size < 1024 })
        #expect(Self.count("blob", in: limited) == smallBlobs)
        try Shell.check("git checkout -q main && git fsck --no-dangling", in: work + "/limit")

        try Shell.check("git clone -q --no-checkout --filter=tree:0 '\(url)' treeless", in: work)
        let treeless = try Self.localObjects(in: work + "/treeless")
        #expect(Self.count("tree", in: treeless) == 0 && Self.count("blob", in: treeless) == 0)
        #expect(Self.count("commit", in: treeless) > 200)
        try Shell.check("git checkout -q feature/3 && git fsck --no-dangling", in: work + "/treeless")
        #expect(try Shell.check("git rev-parse HEAD^{tree}", in: work + "/treeless") == Shell.check("git rev-parse feature/3^{tree}", in: source))

        // tree:2 keeps root trees and their entries; blob:none then drops the blobs.
        try Shell.check("git clone -q --no-checkout --filter=combine:tree:2+blob:none '\(url)' combined", in: work)
        let combined = try Self.localObjects(in: work + "/combined")
        #expect(Self.count("blob", in: combined) == 0 && Self.count("tree", in: combined) > 0)
        let shallowTrees = try Shell.check("""
            roots=$(git log --all --format=%T | sort -u)
            { echo "$roots"; for t in $roots; do git ls-tree $t | awk '$2 == "tree" {print $3}'; done; } | sort -u | wc -l
            """, in: source)
        #expect(Self.count("tree", in: combined) == Int(shallowTrees.trimmed))
        try Shell.check("git checkout -q main && git fsck --no-dangling", in: work + "/combined")
        #expect(try Shell.check("git status --porcelain", in: work + "/combined").isEmpty)
    }

    @Test func objectInfoAndBadFiltersAnswerInGitsTerms() async throws {
        let (node, source) = try Self.node()
        let client = HTTPClient(baseURL: node.baseURL)
        let v2 = ["Git-Protocol": "version=2", "Content-Type": "application/x-git-upload-pack-request"]
        func uploadPack(_ body: Data) async throws -> [String] {
            PktLines.lines(try await client.send("POST", "/acme/project.git/git-upload-pack", body: body, headers: v2).body)
        }
        let blob = try Shell.check("git rev-parse main:assets/blob.bin", in: source).trimmed
        let tree = try Shell.check("git rev-parse main^{tree}", in: source).trimmed
        let unknown = String(repeating: "ab", count: 20)
        let advert = try await client.send("GET", "/acme/project.git/info/refs?service=git-upload-pack", headers: ["Git-Protocol": "version=2"])
        #expect(advert.text.contains("fetch=shallow filter") && advert.text.contains("object-info"))

        let info = try await uploadPack(HostileInputTests.fetchV2(command: "object-info", ["size", "oid \(blob)", "oid \(tree)", "oid \(unknown)"]))
        let blobSize = try Shell.check("git cat-file -s \(blob)", in: source).trimmed
        let treeSize = try Shell.check("git cat-file -s \(tree)", in: source).trimmed
        #expect(info == ["size", "\(blob) \(blobSize)", "\(tree) \(treeSize)", "\(unknown) "])

        let main = try Shell.check("git rev-parse main", in: source).trimmed
        for spec in ["blob:limit=lots", "tree:-1", "object:type=file", "combine:blob:none", "nonsense", "blob:limit=99999999999999999999g"] {
            let reply = try await uploadPack(HostileInputTests.fetchV2(["want \(main)", "filter \(spec)", "done"]))
            #expect(reply.count == 1 && reply.first?.hasPrefix("ERR protocol error: invalid filter-spec") == true, "\(spec): \(reply)")
        }
        let work = try Shell.temporaryDirectory("partial-bad")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let sparse = try Shell.run("git clone -q --filter=sparse:oid=main:.gitignore '\(node.anonymousURL("acme/project"))' sparse", in: work)
        #expect(sparse.status != 0 && sparse.stderr.contains("not supported by this server"), "\(sparse.stderr)")
    }
}

private extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
