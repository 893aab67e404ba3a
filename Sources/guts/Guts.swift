import ArgumentParser

@main
struct Guts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guts",
        abstract: "Run, measure and maintain a self-hosted git node.",
        discussion: """
            A node serves git over smart HTTP (with partial clone, and Git LFS at <repository>.git/info/lfs), a JSON API with \
            GitHub-format webhooks (/api/repos/<owner>/<name>/hooks), health checks and Prometheus metrics. \
            See guts-serve(1) for these features.
            """,
        version: GutsVersion.current,
        subcommands: [
            ServeCommand.self, BenchCommand.self, ProfileCommand.self, CompactCommand.self, MigrateCommand.self,
            FsckCommand.self, BackupCommand.self, ArchiveCommand.self, CacheStatsCommand.self, DocsCommand.self,
        ]
    )
}
