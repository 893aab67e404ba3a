import ArgumentParser

@main
struct Guts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guts",
        abstract: "Run, measure and maintain a self-hosted git node.",
        version: GutsVersion.current,
        subcommands: [
            ServeCommand.self, BenchCommand.self, ProfileCommand.self, CompactCommand.self, MigrateCommand.self,
            FsckCommand.self, BackupCommand.self, ArchiveCommand.self, CacheStatsCommand.self, DocsCommand.self,
        ]
    )
}
