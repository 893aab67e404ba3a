import ArgumentParser
import Foundation
import GutsAdmin

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
        try await options.run("fsck", job: "fsck", recordAs: "fsck") { target in
            let report: FsckReport
            switch target {
            case .offline(let dataDirectory):
                options.progress("checking \(dataDirectory) offline")
                let storage = try AdminTarget.openStorage(dataDirectory: dataDirectory)
                defer { storage.close() }
                var fsck = Fsck(storage: storage)
                fsck.repositories = repositories
                fsck.maxDuration = maxDuration?.seconds
                fsck.bytesPerSecond = rate.map { Double($0.bytes) }
                fsck.progress = options.progress
                report = try fsck.run(history: JobHistory(dataDirectory: dataDirectory))
            case .online(let client, _):
                options.progress("checking through \(client.baseURL)")
                var query = ["repos": repositories.joined(separator: ",")]
                if let maxDuration { query["max-duration"] = String(maxDuration.seconds) }
                if let rate { query["rate"] = String(rate.bytes) }
                report = try await client.json(FsckReport.self, "POST", "/admin/fsck", query: query)
            }
            try options.emit(report) { report.render() }
            if !report.clean {
                if options.quiet { FileHandle.standardError.write(Data((report.problems.map(\.description).joined(separator: "\n") + "\n").utf8)) }
                throw AdminError.failed("\(report.problems.count) problems found")
            }
        }
    }
}
