import ArgumentParser
import Foundation
import GutsAdmin
import GutsMaintenance

struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Build, pre-generate and prune commit archives (tar, tar.gz, zip).",
        subcommands: [Get.self, Warm.self, Prune.self]
    )

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write one archive of a repository at a ref to a file.")

        @OptionGroup var options: AdminOptions
        @Argument(help: "Repository, owner/name.") var repository: String
        @Argument(help: "Branch, tag, full ref name or commit id.") var ref: String
        @Option(help: "tar, tar.gz or zip.") var format: String = "tar.gz"
        @Option(name: .shortAndLong, help: "Output file (default: <name>-<ref>.<ext>; - for stdout).") var output: String?

        func run() async throws {
            guard let format = ArchiveFormat(name: format) else { throw ValidationError("unknown format '\(self.format)'") }
            try await options.run("archive get") { backend in
                let (fileName, bytes) = try await backend.archive(repository: repository, ref: ref, format: format)
                let path = output ?? fileName
                if path == "-" {
                    FileHandle.standardOutput.write(bytes)
                } else {
                    guard FileManager.default.createFile(atPath: path, contents: bytes) else { throw AdminError.failed("cannot write \(path)") }
                    struct Written: Encodable { var path: String; var bytes: Int }
                    try options.emit(Written(path: path, bytes: bytes.count)) { "wrote \(path) (\(bytes.count) bytes)" }
                }
            }
        }
    }

    struct Warm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pre-generate tar.gz and zip archives of default branches and newest tags.")

        @OptionGroup var options: AdminOptions
        @Option(name: .customLong("repo"), help: "Repository owner/name (repeatable; default all).") var repositories: [String] = []
        @Option(help: "How many of the newest tags to include.") var tags: Int = 3

        func run() async throws {
            try await options.run("archive warm") { backend in
                let report = try await backend.perform(ArchiveWarmOperation(repositories: repositories, tags: tags))
                try options.emit(report) {
                    (["\(report.archives) archives (\(report.built) built, \(report.bytes) bytes)"] + report.failures.map { "failed: \($0)" })
                        .joined(separator: "\n")
                }
                if !report.failures.isEmpty { throw AdminError.failed("\(report.failures.count) archives failed") }
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete cached archives to stay within bounds.")

        @OptionGroup var options: AdminOptions
        @Option(name: .customLong("max-bytes"), help: "Keep at most this much (e.g. 2G), dropping least recently used first.")
        var maxBytes: SizeArgument?
        @Option(name: .customLong("older-than"), help: "Drop archives not used for this long (e.g. 7d).")
        var olderThan: DurationArgument?

        func validate() throws {
            if maxBytes == nil && olderThan == nil { throw ValidationError("give --max-bytes or --older-than") }
        }

        func run() async throws {
            try await options.run("archive prune") { backend in
                let report = try await backend.perform(ArchivePruneOperation(maxBytes: maxBytes?.bytes, olderThan: olderThan?.seconds))
                try options.emit(report) {
                    "removed \(report.removedFiles) archives (\(report.removedBytes) bytes); \(report.remainingFiles) remain (\(report.remainingBytes) bytes)"
                }
            }
        }
    }
}
