import ArgumentParser
import Foundation
import GutsAdmin
import GutsStorage

struct CacheStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache-stats",
        abstract: "Show entries, bytes, hits, misses and evictions of every cache.",
        discussion: "Caches: objects, hot-tier, block-cache (RocksDB) and archives; through --node also pack-generations, pack-cache, api-responses (commit pages) and raw-files. lfs shows the Git LFS objects and bytes stored. With --interval, prints deltas per interval."
    )

    @OptionGroup var options: AdminOptions
    @Option(help: "Output format: table, json or prom.") var format: CacheStatsReport.Format?
    @Option(help: "Print counter deltas every interval (e.g. 5s) instead of one snapshot.") var interval: DurationArgument?
    @Option(help: "With --interval, stop after this many intervals.") var count: Int?

    func run() async throws {
        let format = self.format ?? (options.json ? .json : .table)
        try await options.run("cache-stats", job: "cache-stats") { target in
            var storage: Storage?
            defer { storage?.close() }
            let archives: ArchiveCache?
            let lfs: LFSObjectStore?
            if case .offline(let dataDirectory) = target {
                storage = try AdminTarget.openStorage(dataDirectory: dataDirectory)
                archives = ArchiveCache(dataDirectory: dataDirectory)
                lfs = LFSObjectStore(dataDirectory: dataDirectory)
            } else {
                (archives, lfs) = (nil, nil)
            }
            func snapshot() async throws -> CacheStatsReport {
                switch target {
                case .offline: CacheStatsReport(storage: storage!, archives: archives, lfs: lfs)
                case .online(let client, _): try await client.json(CacheStatsReport.self, "GET", "/admin/cache-stats")
                }
            }
            var previous = try await snapshot()
            guard let interval else {
                print(try previous.render(format))
                return
            }
            var printed = 0
            while count.map({ printed < $0 }) ?? true {
                try await Task.sleep(for: .milliseconds(Int(interval.seconds * 1000)))
                let current = try await snapshot()
                print(try current.delta(since: previous).render(format))
                fflush(nil)
                previous = current
                printed += 1
            }
        }
    }
}

extension CacheStatsReport.Format: ExpressibleByArgument {}
