import ArgumentParser
import GutsAdmin
import GutsMaintenance
import GutsProfiler

extension ProfileCommand {
    /// Records while running a guts subcommand given after `--`, or through a running node.
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
        @OptionGroup var output: ProfileOutputOptions
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

        var isRemote: Bool { node != nil || dataDirectory != nil }

        func validate() throws {
            let outputs = output.outputs
            guard (1...10_000).contains(rate) else { throw ValidationError("--rate must be within 1...10000") }
            guard duration.seconds > 0, output.memoryInterval.seconds > 0, (since?.seconds ?? 1) > 0 else {
                throw ValidationError("--duration, --since and --memory-interval must be positive")
            }
            guard (1...(1 << 30)).contains(allocInterval) else { throw ValidationError("--alloc-interval must be within 1...1073741824 bytes") }
            if isRemote {
                guard command.isEmpty else { throw ValidationError("give either --node/--data-dir or a subcommand after --, not both") }
                if since != nil && outputs.wantsAllocations {
                    throw ValidationError("--since dumps CPU samples and memory readings; the allocation options need --duration (or use --heap)")
                }
                if heap && (since != nil || outputs.wantsMemory || outputs.wantsAllocations) {
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

        func run() async throws {
            if isRemote { return try await runRemote() }
            let parsed: ParsableCommand
            do {
                parsed = try Guts.parseAsRoot(command)
            } catch {
                throw ValidationError("cannot parse the subcommand to profile: \(Guts.message(for: error))")
            }
            if parsed is Record { throw ValidationError("guts profile cannot profile another guts profile recording") }
            let target = CommandBox(parsed)
            let outputs = output.outputs
            let options = ProfilingSession.Options(
                rate: rate, mode: mode, memoryInterval: outputs.wantsMemory ? output.memoryInterval.seconds : nil,
                allocationInterval: outputs.wantsAllocations ? allocInterval : nil, threadRootFrames: threads)
            let result = try await ProfilingSession.record(options, seconds: duration.seconds) { try await target.run() }
            try outputs.write(
                cpu: result.cpu, timeline: result.memory, allocated: result.allocations?.allocated, inUse: result.allocations?.inUse,
                title: "guts " + command.joined(separator: " "))
            if let allocations = result.allocations { ProfileOutputs.note("profile: " + allocations.statistics.summary) }
            switch result.outcome {
            case .finished: ProfileOutputs.note("profile: subcommand finished")
            case .failed(let error): ProfileOutputs.note("profile: subcommand failed: \(error)")
            case .timedOut: ProfileOutputs.note("profile: stopped after \(duration.defaultValueDescription); the subcommand was still running")
            }
            ProfileOutputs.report(result.cpu)
            if case .failed(let error) = result.outcome { throw error }
        }

        /// `--node`: the node samples itself (or dumps its continuous ring, or its heap), and
        /// what it answers is rendered here into every requested format.
        private func runRemote() async throws {
            do {
                guard let client = AdminTarget.nodeClient(dataDirectory: dataDirectory, node: node, token: token) else {
                    throw AdminError.usage("no running node found for \(dataDirectory ?? "") (give --node URL)")
                }
                let profiler = NodeProfileClient(client: client)
                let outputs = output.outputs
                if heap {
                    let (snapshot, statistics) = try await profiler.heap()
                    try outputs.write(heap: snapshot, sample: heapSample, title: "guts node \(client.baseURL) heap, \(heapSample)")
                    return ProfileOutputs.note("profile: node \(client.baseURL), " + (statistics?.summary ?? "heap"))
                }
                let kinds = [(outputs.wantsAllocated, NodeProfileRequest.AllocationKind.allocated), (outputs.wantsInUse, .inuse)].filter(\.0).map(\.1)
                let recording = try await profiler.record(
                    window: since.map { .since($0.seconds) } ?? .seconds(duration.seconds), rate: rate, mode: mode, threads: threads,
                    memoryInterval: outputs.wantsMemory ? output.memoryInterval.seconds : nil,
                    allocations: kinds, allocationInterval: allocInterval, seconds: duration.seconds)
                let window = since.map { "last \($0.defaultValueDescription)" } ?? duration.defaultValueDescription
                try outputs.write(
                    cpu: recording.cpu, timeline: recording.memory, allocated: recording.allocated, inUse: recording.inUse,
                    title: "guts node \(client.baseURL) (\(window))")
                ProfileOutputs.note("profile: node \(client.baseURL), \(recording.source) sampling, \(window)")
                ProfileOutputs.report(recording.cpu)
            } catch let error as AdminError {
                ProfileOutputs.note("guts profile: \(error)")
                throw ExitCode(error.exitCode)
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
