import Foundation
import GutsTestSupport
import Testing
@testable import GutsBench

/// The HTML report of real runs, rendered by headless Chromium: its script runs to the end
/// without an error, draws every curve and keeps report text as text.
@Suite(.serialized) struct HTMLReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Renders `page` in headless Chromium; returns the DOM after scripts ran and Chromium's console log lines.
    static func render(_ page: String, chromium: String) throws -> (dom: String, console: [String]) {
        let work = try Shell.temporaryDirectory("html-report")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try Data(page.utf8).write(to: URL(fileURLWithPath: work + "/report.html"))
        let output = try Shell.run("""
            timeout 120 '\(chromium)' --headless --no-sandbox --disable-gpu --user-data-dir="$PWD/profile" \
              --enable-logging=stderr --v=0 --dump-dom "file://$PWD/report.html"
            """, in: work)
        #expect(output.status == 0, "\(output.stderr.suffix(2000))")
        return (output.stdout, output.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init))
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (GUTS_SETUP_EXTRAS=1 scripts/setup.sh installs it)"))
    func rendersRealRunsWithoutScriptErrors() async throws {
        let chromium = try #require(Self.chromium)
        var settings = ScenarioTests.tiny
        settings.duration = 0.5
        settings.samples = 2
        let runner = BenchRunner(settings: settings, progress: BenchProgress(enabled: false))
        let baseline = try await runner.run([.api])
        var report = try await runner.run([.api, .push])
        report.scenarios[0].notes.append("</script><script>document.documentElement.dataset.injected = 1</script> & <b>bold</b>")

        let page = try HTMLReport.render(report, baseline: baseline, baselineName: "main")
        for loader in ["src=", "href=", "url(", "@import", "fetch(", "XMLHttpRequest"] {
            #expect(!page.contains(loader), "nothing loads from elsewhere: \(loader)")
        }
        let (dom, console) = try Self.render(page, chromium: chromium)
        #expect(console.isEmpty, "console: \(console)")
        #expect(dom.contains(#"data-report="rendered""#))
        #expect(!dom.contains("data-script-errors"))
        #expect(!dom.contains("data-injected"))
        // api: read, read.rate, write; push: git, native.
        #expect(dom.contains(#"data-charts="5""#))
        #expect(dom.contains("&lt;/script&gt;&lt;script&gt;"))
        #expect(dom.contains("the baseline has no push scenario"))
        #expect(dom.contains(">read.p99<") && dom.contains(">native.p95<"))
        #expect(dom.contains(">baseline<") && dom.contains(report.environment.kernel))
        // One dot per sample of each two-sample API metric, inside its spread strip.
        let strips = dom.components(separatedBy: #"class="spread""#).count - 1
        #expect(strips == report.scenarios.reduce(0) { $0 + $1.metrics.count })
        #expect(dom.contains("sample 2: "))

        let alone = try Self.render(try HTMLReport.render(report), chromium: chromium)
        #expect(alone.console.isEmpty, "console: \(alone.console)")
        #expect(alone.dom.contains(#"data-report="rendered""#) && alone.dom.contains(#"data-charts="5""#))
        #expect(alone.dom.contains("no baseline"))
    }
}
