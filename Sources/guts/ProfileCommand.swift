import ArgumentParser
import Foundation
import GutsAdmin
import GutsMaintenance
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

    /// Writes `bytes` to `path`, or to standard output for "-".
    static func write(_ bytes: [UInt8], to path: String) throws {
        if path == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ProfilerError.io(path: path, message: "cannot write (\(error.localizedDescription))")
        }
    }

    static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProfilerError.io(path: path, message: "cannot read")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension ProfileCommand {
    /// Records while running a guts subcommand given after `--`.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Run a guts subcommand in-process, or profile a running node, while sampling CPU (and memory)."
        )

        @Option(help: "URL of a running node to profile through its admin endpoint instead of running a subcommand.")
        var node: String?

        @Option(help: "Admin token for --node (default: $GUTS_ADMIN_TOKEN, then <data-dir>/admin-token).")
        var token: String?

        @Option(name: .customLong("data-dir"), help: "The node's data directory, to find its URL (node.json) and admin token.")
        var dataDirectory: String?

        @Option(help: "With --node: dump the node's continuous profile over this window (e.g. 10m) instead of sampling now.")
        var since: DurationArgument?

        @Option(help: "Stop after this long even if the subcommand is still running (e.g. 30s, 500ms).")
        var duration = DurationArgument(seconds: 30)

        @Option(help: "CPU samples per second of process CPU time (wall: per second of wall time, on every thread).")
        var rate: Int = CPUProfiler.defaultRate

        @Option(help: "cpu: running threads, by CPU time; wall: every thread, running or blocked, with thread names as root frames.")
        var mode: CPUProfiler.Mode = .cpu

        @Option(help: "Write folded stacks (flamegraph.pl, speedscope) here.")
        var folded: String?

        @Option(help: "Write an interactive SVG flamegraph here.")
        var svg: String?

        @Option(help: "Write speedscope JSON here.")
        var speedscope: String?

        @Option(help: "Write a gzip pprof profile (profile.proto) here.")
        var pprof: String?

        @Option(name: .customLong("memory-csv"), help: "Write the memory timeline as CSV here.")
        var memoryCSV: String?

        @Option(name: .customLong("memory-json"), help: "Write the memory timeline as JSON here.")
        var memoryJSON: String?

        @Option(name: .customLong("memory-svg"), help: "Write a plot of the memory timeline here.")
        var memorySVG: String?

        @Option(name: .customLong("memory-interval"), help: "Memory sampling interval.")
        var memoryInterval = DurationArgument(seconds: NodeProfileRequest.defaultMemoryInterval)

        @Option(name: .customLong("alloc-svg"), help: "Write an SVG flamegraph of sampled allocated bytes here.")
        var allocSVG: String?

        @Option(name: .customLong("alloc-folded"), help: "Write folded stacks of sampled allocated bytes here.")
        var allocFolded: String?

        @Option(name: .customLong("inuse-svg"), help: "Write an SVG flamegraph of sampled bytes still in use at the end here.")
        var inUseSVG: String?

        @Option(name: .customLong("inuse-folded"), help: "Write folded stacks of sampled bytes still in use at the end here.")
        var inUseFolded: String?

        @Option(name: .customLong("alloc-interval"), help: "Mean bytes allocated between allocation samples.")
        var allocInterval: Int = AllocationProfiler.defaultSampleInterval

        @Flag(help: "Add a root frame per thread (thread <tid>) to every stack.")
        var threads = false

        @Flag(help: "With --node: write the node's sampled heap (in use now and allocated since start, by stack) instead of CPU; needs a node started with --profile-allocations.")
        var heap = false

        @Option(name: .customLong("heap-sample"), help: "With --heap: the value folded, SVG and speedscope show: inuse_space, inuse_objects, alloc_space or alloc_objects (pprof has all four).")
        var heapSample = NodeProfileRequest.defaultSample

        @Argument(parsing: .postTerminator, help: "The guts subcommand to profile, after --.")
        var command: [String] = []

        func validate() throws {
            guard (1...10_000).contains(rate) else { throw ValidationError("--rate must be within 1...10000") }
            guard duration.seconds > 0, memoryInterval.seconds > 0, (since?.seconds ?? 1) > 0 else {
                throw ValidationError("--duration, --since and --memory-interval must be positive")
            }
            guard (1...(1 << 30)).contains(allocInterval) else { throw ValidationError("--alloc-interval must be within 1...1073741824 bytes") }
            if isRemote {
                guard command.isEmpty else { throw ValidationError("give either --node/--data-dir or a subcommand after --, not both") }
                if since != nil && wantsAllocations {
                    throw ValidationError("--since dumps CPU samples and memory readings; the allocation options need --duration (or use --heap)")
                }
                if heap && (since != nil || wantsMemory || wantsAllocations) {
                    throw ValidationError("--heap writes the heap in use to --folded, --svg, --speedscope or --pprof; it takes no --since, memory or allocation options")
                }
                guard !heap || HeapProfiler.sampleTypes.contains(where: { $0.type == heapSample }) else {
                    throw ValidationError("--heap-sample must be one of \(HeapProfiler.sampleTypes.map(\.type).joined(separator: ", "))")
                }
                return
            }
            guard !heap else { throw ValidationError("--heap needs --node (a node started with --profile-allocations)") }
            guard since == nil else { throw ValidationError("--since needs --node (a node started with --profile-continuous)") }
            guard !command.isEmpty else {
                throw ValidationError("give the guts subcommand to profile after --, e.g. guts profile -- profile selftest --workload-only")
            }
        }

        var isRemote: Bool { node != nil || dataDirectory != nil }
        var wantsMemory: Bool { memoryCSV != nil || memoryJSON != nil || memorySVG != nil }
        var wantsAllocated: Bool { allocSVG != nil || allocFolded != nil }
        var wantsInUse: Bool { inUseSVG != nil || inUseFolded != nil }
        var wantsAllocations: Bool { wantsAllocated || wantsInUse }

        func run() async throws {
            if isRemote { return try await runRemote() }
            let parsed: ParsableCommand
            do {
                parsed = try Guts.parseAsRoot(command)
            } catch {
                throw ValidationError("cannot parse the subcommand to profile: \(Guts.message(for: error))")
            }
            if parsed is Record {
                throw ValidationError("guts profile cannot profile another guts profile recording")
            }
            let target = CommandBox(parsed)
            let options = ProfilingSession.Options(
                rate: rate, mode: mode, memoryInterval: wantsMemory ? memoryInterval.seconds : nil,
                allocationInterval: wantsAllocations ? allocInterval : nil, threadRootFrames: threads)
            let result = try await ProfilingSession.record(options, seconds: duration.seconds) { try await target.run() }
            let (profile, timeline, allocations, outcome) = (result.cpu, result.memory, result.allocations, result.outcome)
            let title = "guts " + command.joined(separator: " ")
            try writeOutputs(profile: profile, timeline: timeline, title: title)
            if let allocations {
                try writeAllocationOutputs(allocated: allocations.allocated, inUse: allocations.inUse, title: title)
                ProfileCommand.printError("profile: " + allocations.statistics.summary)
            }
            switch outcome {
            case .finished: ProfileCommand.printError("profile: subcommand finished")
            case .failed(let error): ProfileCommand.printError("profile: subcommand failed: \(error)")
            case .timedOut: ProfileCommand.printError("profile: stopped after \(duration.defaultValueDescription); the subcommand was still running")
            }
            report(profile: profile)
            if case .failed(let error) = outcome { throw error }
        }

        /// `--node`: the node samples itself (or dumps its continuous ring) and answers
        /// folded stacks, which are rendered here into every requested format, so one
        /// sampling period serves them all.
        private func runRemote() async throws {
            guard let client = AdminTarget.nodeClient(dataDirectory: dataDirectory, node: node, token: token) else {
                let error = AdminError.usage("no running node found for \(dataDirectory ?? "") (give --node URL)")
                ProfileCommand.printError("guts profile: \(error)")
                throw ExitCode(error.exitCode)
            }
            if heap { return try await writeHeap(client: client) }
            let window: NodeProfileRequest.Window = since.map { .since($0.seconds) } ?? .seconds(duration.seconds)
            let cpuRequest = NodeProfileRequest.cpu(window: window, rate: rate, mode: mode, threads: threads, format: .folded)
            let memoryRequest = NodeProfileRequest.memory(window: window, intervalSeconds: memoryInterval.seconds, format: .json)
            let wantsMemory = self.wantsMemory
            // The node has one allocation sampler: allocated and in-use windows run one
            // after the other, each beside the CPU window.
            let allocationRequests = [(wantsAllocated, NodeProfileRequest.AllocationKind.allocated), (wantsInUse, .inuse)]
                .filter(\.0).map { NodeProfileRequest.allocations(seconds: duration.seconds, kind: $0.1, interval: allocInterval, threads: false, format: .folded) }
            do {
                let transport = NodeProfileTransport(node: client)
                async let cpu = transport.exchange(cpuRequest)
                async let memory: Data? = wantsMemory ? transport.exchange(memoryRequest).body : nil
                async let allocationBodies = Self.fetch(allocationRequests, transport: transport)
                let (answer, memoryData, allocationData) = try await (cpu, memory, allocationBodies)
                var profile = try FoldedStacks.parse(String(decoding: answer.body, as: UTF8.self))
                if let header = answer.headers["x-profile-statistics"],
                   let statistics = try? JSONDecoder().decode(SamplerStatistics.self, from: Data(header.utf8)) {
                    profile.statistics = statistics
                    profile.periodNanos = Int64(1_000_000_000 / max(statistics.rate, 1))
                    profile.durationNanos = Int64(statistics.durationNanos)
                }
                let timeline = try memoryData.map { try JSONDecoder().decode(MemoryTimeline.self, from: $0) }
                let window = since.map { "last \($0.defaultValueDescription)" } ?? duration.defaultValueDescription
                let title = "guts node \(client.baseURL) (\(window))"
                try writeOutputs(profile: profile, timeline: timeline, title: title)
                var allocationProfiles: [NodeProfileRequest.AllocationKind: Profile] = [:]
                for (request, data) in zip(allocationRequests, allocationData) {
                    guard case .allocations(_, let kind, _, _, _) = request else { continue }
                    var parsed = try FoldedStacks.parse(String(decoding: data, as: UTF8.self))
                    parsed.valueUnit = .bytes
                    allocationProfiles[kind] = parsed
                }
                try writeAllocationOutputs(allocated: allocationProfiles[.allocated], inUse: allocationProfiles[.inuse], title: title)
                ProfileCommand.printError("profile: node \(client.baseURL), \(answer.headers["x-profile-source"] ?? "on-demand") sampling, \(window)")
                report(profile: profile)
            } catch let error as AdminError {
                ProfileCommand.printError("guts profile: \(error)")
                throw ExitCode(error.exitCode)
            }
        }

        /// `--heap`: one snapshot of the node's heap, rendered here into every requested format.
        private func writeHeap(client: NodeClient) async throws {
            var requested: [(ProfileFormat, String)] = [(.folded, folded), (.svg, svg), (.speedscope, speedscope), (.pprof, pprof)]
                .compactMap { format, path in path.map { (format, $0) } }
            if requested.isEmpty {
                ProfileCommand.printError("no output requested (--folded, --svg, --speedscope, --pprof); folded stacks follow on stdout")
                requested = [(.folded, "-")]
            }
            do {
                let answer = try await NodeProfileTransport(node: client).exchange(.heapSnapshot)
                let snapshot: Profile
                do {
                    snapshot = try JSONDecoder().decode(Profile.self, from: answer.body)
                } catch {
                    throw ProfilerError.malformedInput("the node's heap snapshot: \(error)")
                }
                let title = "guts node \(client.baseURL) heap, \(heapSample)"
                for (format, path) in requested {
                    // pprof keeps all four columns (`-sample_index` picks one); the others show one.
                    let profile = format == .pprof ? snapshot : (snapshot.selecting(heapSample) ?? snapshot)
                    try ProfileCommand.write(try format.render(profile, title: title), to: path)
                }
                let statistics = answer.headers["x-heap-statistics"]
                    .flatMap { try? JSONDecoder().decode(HeapProfiler.Statistics.self, from: Data($0.utf8)) }
                ProfileCommand.printError("profile: node \(client.baseURL), " + (statistics?.summary ?? "heap"))
            } catch let error as AdminError {
                ProfileCommand.printError("guts profile: \(error)")
                throw ExitCode(error.exitCode)
            }
        }

        private func writeOutputs(profile: Profile, timeline: MemoryTimeline?, title: String) throws {
            let requested: [(ProfileFormat, String?)] = [(.folded, folded), (.svg, svg), (.speedscope, speedscope), (.pprof, pprof)]
            for case let (format, path?) in requested {
                try ProfileCommand.write(try format.render(profile, title: title), to: path)
            }
            if let timeline {
                if let memoryCSV { try ProfileCommand.write(Array(timeline.csv().utf8), to: memoryCSV) }
                if let memoryJSON { try ProfileCommand.write(try timeline.json(), to: memoryJSON) }
                if let memorySVG { try ProfileCommand.write(Array(timeline.svg(title: title + " — memory").utf8), to: memorySVG) }
            }
            let anyOutput = folded != nil || svg != nil || speedscope != nil || pprof != nil
            if !anyOutput && !wantsAllocations && !wantsMemory {
                ProfileCommand.printError("no CPU output requested (--folded, --svg, --speedscope, --pprof); folded stacks follow on stdout")
                try ProfileCommand.write(Array(FoldedStacks.encode(profile).utf8), to: "-")
            }
        }

        /// One after the other: the node has one allocation sampler.
        private static func fetch(_ requests: [NodeProfileRequest], transport: NodeProfileTransport) async throws -> [Data] {
            var bodies: [Data] = []
            for request in requests { bodies.append(try await transport.exchange(request).body) }
            return bodies
        }

        private func writeAllocationOutputs(allocated: Profile?, inUse: Profile?, title: String) throws {
            let requested: [(Profile?, ProfileFormat, String?, String)] = [
                (allocated, .svg, allocSVG, "allocated bytes"), (allocated, .folded, allocFolded, "allocated bytes"),
                (inUse, .svg, inUseSVG, "bytes in use"), (inUse, .folded, inUseFolded, "bytes in use"),
            ]
            for case let (profile?, format, path?, label) in requested {
                try ProfileCommand.write(try format.render(profile, title: "\(title) — \(label)"), to: path)
            }
        }

        private func report(profile: Profile) {
            if let statistics = profile.statistics {
                ProfileCommand.printError("profile: " + statistics.summary)
            }
            let total = max(profile.totalCount, 1)
            ProfileCommand.printError("profile: top functions by self samples:")
            for (name, count) in profile.topSelf(limit: 10) {
                let percent = Double(count) * 100 / Double(total)
                ProfileCommand.printError("  \(String(format: "%5.1f%%", percent)) \(String(format: "%6d", count))  \(name)")
            }
        }

    }

    /// Holds the parsed subcommand so it can run in a detached task; the command is
    /// only touched by that task.
    final class CommandBox: @unchecked Sendable {
        private var command: ParsableCommand

        init(_ command: ParsableCommand) {
            self.command = command
        }

        func run() async throws {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
                command = asyncCommand
            } else {
                try command.run()
            }
        }
    }
}

extension CPUProfiler.Mode: ExpressibleByArgument {}
