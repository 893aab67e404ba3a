import ArgumentParser
import Foundation
import GutsAdmin
import GutsMaintenance

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take, list, verify and restore consistent, incremental backups of a data directory.",
        subcommands: [Create.self, List.self, Verify.self, Restore.self]
    )

    /// Options of the commands that read a backup directory and no data dir.
    struct BackupDirectoryOptions: ParsableArguments {
        @Option(help: "The backup directory.") var from: String
        @Flag(help: "Print the result as JSON.") var json = false
        @Flag(help: "Print nothing but errors (for cron).") var quiet = false

        var output: AdminOptions {
            var options = AdminOptions()
            options.json = json
            options.quiet = quiet
            return options
        }

        /// Runs `body` under the backup directory's own lock, mapping errors like `AdminOptions.run`.
        func run(_ command: String, _ body: (BackupStore) async throws -> Void) async throws {
            let store = BackupStore(directory: MigrateCommand.absolute(from))
            do {
                let lock = try JobLock(job: "backup", directory: store.directory + "/locks")
                defer { withExtendedLifetime(lock) {} }
                try await body(store)
            } catch {
                throw AdminOptions.exit(command, error)
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Back up the data directory into DIR while the node serves (RocksDB BackupEngine, incremental).",
            discussion: "Holds every push acknowledged before it started. Pushes go on meanwhile. The archive cache is left out.")

        @OptionGroup var options: AdminOptions
        @Option(help: "The backup directory (created when missing).") var to: String
        @Option(help: "Keep only the newest N backups.") var keep: Int?

        func run() async throws {
            let operation = try BackupOperation(directory: MigrateCommand.absolute(to), keep: keep)
            try await options.run("backup create") { backend in
                options.progress("backing up \(backend.location)")
                let report = try await backend.perform(operation)
                try options.emit(report) {
                    "backup \(report.backup.id): \(report.backup.databaseBytes) database bytes, \(report.backup.files ?? 0) other files "
                        + "(\(report.filesCopied) copied) in \(String(format: "%.1f", report.seconds))s"
                        + (report.removed.isEmpty ? "" : "; removed \(report.removed.map(String.init).joined(separator: ", "))")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the backups in a backup directory.")
        @OptionGroup var directory: BackupDirectoryOptions

        func run() async throws {
            try await directory.run("backup list") { store in
                let entries = try store.list()
                try directory.output.emit(entries) { BackupStore.render(entries) }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a backup in full: restore its database to scratch space, read every block, re-hash its files.",
            discussion: "Exit codes: 0 intact, 1 damaged or failed.")
        @OptionGroup var directory: BackupDirectoryOptions
        @Option(help: "Backup id (default the newest).") var id: UInt32?

        func run() async throws {
            try await directory.run("backup verify") { store in
                let report = try store.verify(id: id)
                try directory.output.emit(report) {
                    (report.problems + ["backup \(report.id): \(report.checkedKeys) keys and \(report.checkedFiles) files checked, "
                        + (report.ok ? "intact" : "\(report.problems.count) problems")]).joined(separator: "\n")
                }
                if !report.ok {
                    if directory.quiet { FileHandle.standardError.write(Data((report.problems.joined(separator: "\n") + "\n").utf8)) }
                    throw AdminError.failed("backup \(report.id) is damaged")
                }
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a backup into a new, empty data directory.",
            discussion: "Refuses a target that exists and is not empty. Start a node on the result with guts serve --data-dir NEW.")
        @OptionGroup var directory: BackupDirectoryOptions
        @Option(help: "Backup id (default the newest).") var id: UInt32?
        @Option(name: .customLong("data-dir"), help: "The new data directory.") var dataDirectory: String

        func run() async throws {
            try await directory.run("backup restore") { store in
                let entry = try store.restore(id: id, to: MigrateCommand.absolute(dataDirectory))
                try directory.output.emit(entry) { "restored backup \(entry.id) into \(dataDirectory)" }
            }
        }
    }
}

extension UInt32: @retroactive ExpressibleByArgument {}
