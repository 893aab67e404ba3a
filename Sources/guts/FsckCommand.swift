import ArgumentParser
import Foundation
import GutsAdmin
import GutsMaintenance

struct FsckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Re-verify stored objects, their syntax, every ref's history, the commit graph and RocksDB checksums.",
        discussion: """
            Prints one line per problem: repository, object (or ref), what is wrong. Warnings (what git's \
            fsck accepts but flags, such as legacy file modes) do not fail the run. Through a node the check \
            reads at --rate (default 4M per second) so the API stays responsive. With --max-duration, the \
            next run resumes after the last repository checked. Exit codes: 0 clean, 1 problems found or \
            failed, 64 usage, 75 busy.
            """
    )

    @OptionGroup var options: AdminOptions
    @Option(name: .customLong("repo"), help: "Repository owner/name to check (repeatable; default all).") var repositories: [String] = []
    @Option(name: .customLong("max-duration"), help: "Stop before the next repository after this long (e.g. 30m).")
    var maxDuration: DurationArgument?
    @Option(help: "Stored bytes read per second (e.g. 64M); default unlimited offline, 4M through a node.")
    var rate: SizeArgument?

    func run() async throws {
        let operation = FsckOperation(repositories: repositories, maxDuration: maxDuration?.seconds, bytesPerSecond: rate.map { Double($0.bytes) })
        try await options.run("fsck") { backend in
            options.progress("checking \(backend.location)")
            let report = try await backend.perform(operation)
            try options.emit(report) { report.render() }
            if !report.clean {
                if options.quiet { FileHandle.standardError.write(Data((report.problems.map(\.description).joined(separator: "\n") + "\n").utf8)) }
                throw AdminError.failed("\(report.problems.count) problems found")
            }
        }
    }
}
