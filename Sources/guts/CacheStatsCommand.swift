import ArgumentParser
import Foundation
import GutsAdmin
import GutsMaintenance
import GutsStorage

struct CacheStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache-stats",
        abstract: "Show entries, bytes, hits, misses and evictions of every cache.",
        discussion: "Caches: objects, hot-tier, block-cache (RocksDB) and archives; through --node also pack-generations, pack-cache, api-responses (commit pages), raw-files and anonymous-responses (whole answers to anonymous reads). lfs shows the Git LFS objects and bytes stored. With --interval, prints deltas per interval. In a cluster each node has its own caches: the table names the node and the members it sees, and --all-members prints every member's."
    )

    @OptionGroup var options: AdminOptions
    @OptionGroup var members: MemberOptions
    @Option(help: "Output format: table, json or prom.") var format: CacheStatsReport.Format?
    @Option(help: "Print counter deltas every interval (e.g. 5s) instead of one snapshot.") var interval: DurationArgument?
    @Option(help: "With --interval, stop after this many intervals.") var count: Int?

    func validate() throws {
        if members.allMembers, interval != nil { throw ValidationError("--all-members prints one snapshot per node; leave out --interval") }
    }

    func run() async throws {
        let format = self.format ?? (options.json ? .json : .table)
        if members.allMembers {
            return try await options.runOnAllMembers("cache-stats", CacheStatsOperation(), render: { try $0.render(format) })
        }
        try await options.run("cache-stats") { backend in
            var previous = try await backend.perform(CacheStatsOperation())
            guard let interval else {
                print(try previous.render(format))
                return
            }
            var printed = 0
            while count.map({ printed < $0 }) ?? true {
                try await Task.sleep(for: .milliseconds(Int(interval.seconds * 1000)))
                let current = try await backend.perform(CacheStatsOperation())
                print(try current.delta(since: previous).render(format))
                fflush(nil)
                previous = current
                printed += 1
            }
        }
    }
}

extension CacheStatsReport.Format: ExpressibleByArgument {}
