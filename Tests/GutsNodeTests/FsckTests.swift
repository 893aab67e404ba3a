import Foundation
import GutsGit
import GutsTestSupport
import Testing

/// `guts fsck` on pushed real history: clean, then with a damaged and a missing object,
/// offline and through the node.
@Suite(.serialized) struct FsckTests {
    static let sample: Result<String, any Error> = Result { try SampleRepository.make() }

    func guts(_ arguments: String, in directory: String) throws -> Shell.Output {
        try Shell.run("exec '\(NodeProcess.executable)' \(arguments)", in: directory)
    }

    @Test func cleanThenDamagedThenMissingObjectsAreReportedByRepositoryAndObject() async throws {
        let source = try Self.sample.get()
        let node = try NodeProcess()
        try Shell.check("git push -q '\(node.authenticatedURL("acme/project"))' 'refs/heads/*:refs/heads/*' 'refs/tags/*:refs/tags/*'", in: source)
        let data = "--data-dir '\(node.dataDirectory)'"

        let online = try guts("fsck \(data) --token \(NodeProcess.adminToken) --json", in: source)
        #expect(online.status == 0, "\(online.stdout)\(online.stderr)")
        #expect(online.stdout.contains("\"problems\" : [\n\n  ]"))
        let metrics = try await HTTPClient(baseURL: node.baseURL).send("GET", "/metrics")
        #expect(String(decoding: metrics.body, as: UTF8.self).contains("guts_job_last_success{task=\"fsck\"} 1.0"))
        node.stop()

        let clean = try guts("fsck \(data)", in: source)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("0 problems"))

        let blob = try #require(ObjectID(hex: try Shell.check("git rev-parse main:src/main.txt", in: source).trimmingCharacters(in: .whitespacesAndNewlines)))
        try StoredValues.flipBytes(dataDirectory: node.dataDirectory, repository: "acme/project", id: blob)
        let damaged = try guts("fsck \(data)", in: source)
        #expect(damaged.status == 1)
        let damageLines = damaged.stdout.split(separator: "\n").filter { $0.hasPrefix("acme/project \(blob.hex): ") }
        #expect(!damageLines.isEmpty, "\(damaged.stdout)")
        #expect(damaged.stdout.contains("is damaged"), "the refs reaching it say so too")

        let tree = try #require(ObjectID(hex: try Shell.check("git rev-parse 'feature/3^{tree}'", in: source).trimmingCharacters(in: .whitespacesAndNewlines)))
        try StoredValues.delete(dataDirectory: node.dataDirectory, repository: "acme/project", id: tree)
        try node.restart()
        let missing = try guts("fsck \(data) --token \(NodeProcess.adminToken) --repo acme/project", in: source)
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("acme/project refs/heads/feature/3: incomplete-history: \(tree.hex) is missing"), "\(missing.stdout)")
        let after = try await HTTPClient(baseURL: node.baseURL).send("GET", "/metrics")
        #expect(String(decoding: after.body, as: UTF8.self).contains("guts_job_last_success{task=\"fsck\"} 0.0"))
    }
}
