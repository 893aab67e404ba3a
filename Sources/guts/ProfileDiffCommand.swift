import ArgumentParser
import GutsProfiler

extension ProfileCommand {
    /// Differential flamegraph of two folded profiles.
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Render a differential flamegraph (growth red, shrinkage blue) of two folded profiles."
        )

        @Argument(help: "The baseline folded profile.")
        var before: String

        @Argument(help: "The folded profile to compare.")
        var after: String

        @Option(help: "Write the SVG here (default: standard output).")
        var svg: String = "-"

        @Option(help: "Graph title.")
        var title: String = "Differential Flame Graph"

        func run() async throws {
            let beforeProfile = try FoldedStacks.parse(try ProfileCommand.readText(before))
            let afterProfile = try FoldedStacks.parse(try ProfileCommand.readText(after))
            let rendered = FlameGraphSVG.renderDifferential(before: beforeProfile, after: afterProfile,
                                                            options: FlameGraphSVG.Options(title: title))
            try ProfileOutputs.write(Array(rendered.utf8), to: svg)
            ProfileOutputs.note("profile diff: before \(beforeProfile.totalCount) samples, after \(afterProfile.totalCount) samples")
        }
    }
}
