import ArgumentParser
import Foundation
import GutsAdmin
import GutsMaintenance

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Import and export git repositories; move storage between schema versions.",
        subcommands: [Import.self, Export.self, Status.self, Up.self, Down.self]
    )

    /// An absolute form of `path` when it is a local path (the node may run elsewhere in the tree).
    static func absolute(_ path: String) -> String {
        if path.contains("://") || path.hasPrefix("/") || path.contains("@") && path.contains(":") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import all refs and objects of a git repository (path or URL) into a repository, with its Git LFS objects.")

        @OptionGroup var options: AdminOptions
        @Argument(help: "A bare or non-bare repository path, or any URL git can fetch.") var source: String
        @Option(help: "Target repository, owner/name (created when missing).") var name: String

        func run() async throws {
            try await options.run("migrate import") { backend in
                options.progress("importing \(backend.location)")
                let report = try await backend.perform(MigrateImportOperation(source: MigrateCommand.absolute(source), name: name))
                try options.emit(report) { "imported \(report.objects) objects, \(report.refs) refs and \(report.lfsObjects) LFS objects into \(report.repository)" }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export a repository to a new bare git repository, with its Git LFS objects under lfs/objects.")

        @OptionGroup var options: AdminOptions
        @Argument(help: "Repository, owner/name.") var repository: String
        @Argument(help: "Path of the bare repository to create.") var path: String

        func run() async throws {
            try await options.run("migrate export") { backend in
                let report = try await backend.perform(MigrateExportOperation(name: repository, path: MigrateCommand.absolute(path)))
                try options.emit(report) { "exported \(report.objects) objects, \(report.refs) refs and \(report.lfsObjects) LFS objects to \(path)" }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the storage schema version and pending migrations.")

        @OptionGroup var options: AdminOptions

        func run() async throws {
            try await options.run("migrate status") { backend in
                let status = try await backend.perform(SchemaStatusOperation())
                try options.emit(status) {
                    (["schema v\(status.current) (latest v\(status.latest))"] + status.pending.map { "pending \($0)" }).joined(separator: "\n")
                }
            }
        }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending schema migrations, checkpointing RocksDB before each (node must be stopped).")

        @OptionGroup var options: AdminOptions
        @Option(help: "Stop at this schema version.") var to: Int?
        @Flag(name: .customLong("dry-run"), help: "Only say what would change.") var dryRun = false

        func run() async throws {
            try await options.run("migrate up") { backend in
                let report = try await backend.perform(SchemaChangeOperation(.up, to: to, dryRun: dryRun))
                try options.emit(report) { MigrateCommand.describe(report) }
            }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore the checkpoint taken before the last migration (node must be stopped).")

        @OptionGroup var options: AdminOptions
        @Flag(name: .customLong("dry-run"), help: "Only say what would change.") var dryRun = false

        func run() async throws {
            try await options.run("migrate down") { backend in
                let report = try await backend.perform(SchemaChangeOperation(.down, dryRun: dryRun))
                try options.emit(report) { MigrateCommand.describe(report) }
            }
        }
    }

    static func describe(_ report: SchemaMigrator.Report) -> String {
        let verb = report.dryRun ? "would move" : "moved"
        return (["\(verb) schema v\(report.from) → v\(report.to)"] + report.steps.map { "  \($0)" }).joined(separator: "\n")
    }
}
