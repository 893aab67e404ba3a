import ArgumentParser
import Foundation
import GutsProfiler

/// `guts profile`: CPU and memory profiles of a guts subcommand run in this process,
/// and differential flamegraphs of two folded profiles.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Profile CPU and memory of a guts subcommand run in this process, or of a running node.",
        discussion: """
        guts profile --duration 30s --svg cpu.svg -- <guts subcommand ...>
        guts profile --node URL --duration 30s --svg cpu.svg --folded cpu.folded
        guts profile --node URL --since 10m --svg incident.svg   (node started with --profile-continuous)
        guts profile --node URL --heap --svg heap.svg --pprof heap.pb.gz   (node started with --profile-allocations)
        guts profile --alloc-svg alloc.svg --inuse-svg inuse.svg -- <guts subcommand ...>
        guts profile diff BEFORE.folded AFTER.folded --svg diff.svg
        """,
        subcommands: [Record.self, Diff.self, SelfTest.self],
        defaultSubcommand: Record.self
    )

    static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProfilerError.io(path: path, message: "cannot read")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
