import ArgumentParser
import Foundation
import GutsAdmin
import GutsMaintenance
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
        let operation = CompactOperation(
            families: families.compactMap(ColumnFamily.init(rawValue:)), maxDuration: maxDuration?.seconds,
            pruneUnreachable: pruneUnreachable?.seconds, repack: repack, repositories: repositories,
            bytesPerSecond: rate.map { Double($0.bytes) })
        try await options.run("compact") { backend in
            options.progress("compacting \(backend.location)")
            let report = try await backend.perform(operation)
            try options.emit(report) { report.render() }
        }
    }
}
