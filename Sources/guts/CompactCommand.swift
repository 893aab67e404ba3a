import ArgumentParser
import Foundation
import GutsAdmin
import GutsStorage

struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Prune unreachable objects, deltify whole ones, compact RocksDB column families; report what changed.",
        discussion: """
            Goes through the node when one holds the data directory. --prune-unreachable AGE deletes objects no \
            ref reaches once unreachable for AGE (counted from the first run that found them so; objects recent \
            ones need stay, and a push in flight is refused rather than left incomplete). --repack deltifies \
            objects stored whole (git pack-objects' window and depth) and reports stored bytes before and after. \
            Refuses (exit 75) while RocksDB stalls writes or another compaction runs. Exit codes: 0 done, \
            1 failed, 64 usage, 75 busy.
            """
    )

    @OptionGroup var options: AdminOptions
    @Option(name: .customLong("cf"), help: "Column family to compact: objects, refs or metadata (repeatable; default all).")
    var families: [String] = []
    @Option(name: .customLong("max-duration"), help: "Stop between key ranges after this long (e.g. 10m).")
    var maxDuration: DurationArgument?
    @Option(name: .customLong("prune-unreachable"), help: "Delete objects no ref has reached for this long (e.g. 2w; 0 for now).")
    var pruneUnreachable: DurationArgument?
    @Flag(help: "Deltify objects stored whole, with bounded chain depth.") var repack = false
    @Option(name: .customLong("repo"), help: "Repository to prune or repack (repeatable; default all).") var repositories: [String] = []
    @Option(help: "Stored bytes read per second by prune and repack (e.g. 64M); default unlimited offline, 4M through a node.")
    var rate: SizeArgument?

    func validate() throws {
        for name in families where ColumnFamily(rawValue: name) == nil {
            throw ValidationError("unknown column family '\(name)' (objects, refs, metadata)")
        }
    }

    func run() async throws {
        let families = self.families.compactMap(ColumnFamily.init(rawValue:))
        try await options.run("compact", job: "compact", recordAs: "compact") { target in
            let report: CompactionReport
            switch target {
            case .offline(let dataDirectory):
                options.progress("compacting \(dataDirectory) offline")
                let storage = try AdminTarget.openStorage(dataDirectory: dataDirectory)
                defer { storage.close() }
                var work = Compactor.ObjectWork(pruneGrace: pruneUnreachable?.seconds, repack: repack)
                work.repositories = repositories
                work.bytesPerSecond = rate.map { Double($0.bytes) }
                work.progress = options.progress
                report = try Compactor(storage: storage).run(families: families, maxDuration: maxDuration?.seconds, objects: work)
            case .online(let client, _):
                options.progress("compacting through \(client.baseURL)")
                var query = ["cf": families.isEmpty ? "all" : families.map(\.rawValue).joined(separator: ",")]
                if let maxDuration { query["max-duration"] = String(maxDuration.seconds) }
                if let pruneUnreachable { query["prune-unreachable"] = String(pruneUnreachable.seconds) }
                if repack { query["repack"] = "1" }
                if !repositories.isEmpty { query["repos"] = repositories.joined(separator: ",") }
                if let rate { query["rate"] = String(rate.bytes) }
                report = try await client.json(CompactionReport.self, "POST", "/admin/compact", query: query)
            }
            try options.emit(report) { report.render() }
        }
    }
}
