import ArgumentParser
import Foundation
import GutsAdmin
import GutsStorage

struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Compact RocksDB column families and report what changed.",
        discussion: """
            Goes through the node when one holds the data directory. Refuses (exit 75) while \
            RocksDB stalls writes or another compaction runs. Exit codes: 0 done, 1 failed, 64 usage, 75 busy.
            """
    )

    @OptionGroup var options: AdminOptions
    @Option(name: .customLong("cf"), help: "Column family to compact: objects, refs or metadata (repeatable; default all).")
    var families: [String] = []
    @Option(name: .customLong("max-duration"), help: "Stop between key ranges after this long (e.g. 10m).")
    var maxDuration: DurationArgument?

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
                report = try Compactor(storage: storage).run(families: families, maxDuration: maxDuration?.seconds)
            case .online(let client, _):
                options.progress("compacting through \(client.baseURL)")
                var query = ["cf": families.isEmpty ? "all" : families.map(\.rawValue).joined(separator: ",")]
                if let maxDuration { query["max-duration"] = String(maxDuration.seconds) }
                report = try await client.json(CompactionReport.self, "POST", "/admin/compact", query: query)
            }
            try options.emit(report) { report.render() }
        }
    }
}
