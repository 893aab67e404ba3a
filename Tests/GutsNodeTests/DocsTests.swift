import Foundation
import GutsTestSupport
import Testing

/// The committed man pages and completions match what the CLI generates now.
@Suite struct DocsTests {
    @Test func manPagesAndCompletionsAreUpToDate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let output = try Shell.temporaryDirectory("docs")
        defer { try? FileManager.default.removeItem(atPath: output) }
        try Shell.check("'\(NodeProcess.executable)' generate-docs --output '\(output)'", in: output)
        let result = try Shell.run("diff -r '\(output)/man' '\(root)/man' && diff -r '\(output)/completions' '\(root)/completions'", in: output)
        #expect(result.status == 0, "man/ or completions/ are stale; run scripts/generate-docs.sh\n\(result.stdout.prefix(2000))")
    }
}
