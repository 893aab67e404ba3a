import ArgumentParser
import Foundation
import GutsAdmin
import GutsMaintenance

/// Writes `man/*.1` and `completions/` from this binary's own command definitions
/// (hidden; run by `scripts/generate-docs.sh` and by the staleness test).
struct DocsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-docs",
        abstract: "Generate man pages and shell completions from the CLI definitions.",
        shouldDisplay: false
    )

    @Option(help: "Directory to write man/ and completions/ into.") var output: String = "."

    func run() async throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let resolved = executable.contains("/") ? executable : (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map { "\($0)/\(executable)" }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? executable
        func capture(_ arguments: [String]) throws -> Data {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: resolved)
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ExitCode(1) }
            return data
        }
        let manDirectory = output + "/man"
        let completionDirectory = output + "/completions"
        for directory in [manDirectory, completionDirectory] {
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let pages = try ManualRenderer.pages(fromDumpHelp: try capture(["--experimental-dump-help"]), source: "Guts \(GutsVersion.current)")
        for (name, text) in pages {
            try Data(text.utf8).write(to: URL(fileURLWithPath: manDirectory + "/" + name))
        }
        for (shell, name) in [("bash", "guts.bash"), ("zsh", "_guts"), ("fish", "guts.fish")] {
            try capture(["--generate-completion-script", shell]).write(to: URL(fileURLWithPath: completionDirectory + "/" + name))
        }
    }
}
