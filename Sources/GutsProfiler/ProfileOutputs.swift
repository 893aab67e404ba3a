import Foundation

/// Where `guts profile` writes what it recorded: each format to its own path (`-` for
/// standard output), CPU stacks, the memory timeline and the allocation profiles.
public struct ProfileOutputs: Sendable {
    public var folded, svg, speedscope, pprof: String?
    public var memoryCSV, memoryJSON, memorySVG: String?
    public var allocSVG, allocFolded, inUseSVG, inUseFolded: String?

    public init() {}

    public var wantsMemory: Bool { memoryCSV != nil || memoryJSON != nil || memorySVG != nil }
    public var wantsAllocated: Bool { allocSVG != nil || allocFolded != nil }
    public var wantsInUse: Bool { inUseSVG != nil || inUseFolded != nil }
    public var wantsAllocations: Bool { wantsAllocated || wantsInUse }
    /// The CPU formats asked for, with their paths.
    var cpu: [(ProfileFormat, String)] {
        [(ProfileFormat.folded, folded), (.svg, svg), (.speedscope, speedscope), (.pprof, pprof)].compactMap { format, path in path.map { (format, $0) } }
    }

    /// Writes every output asked for. With no CPU, memory or allocation output asked
    /// for, folded CPU stacks go to standard output, with a note on standard error.
    public func write(cpu profile: Profile, timeline: MemoryTimeline?, allocated: Profile?, inUse: Profile?, title: String) throws {
        for (format, path) in cpu { try Self.write(try format.render(profile, title: title), to: path) }
        if let timeline {
            if let memoryCSV { try Self.write(Array(timeline.csv().utf8), to: memoryCSV) }
            if let memoryJSON { try Self.write(try timeline.json(), to: memoryJSON) }
            if let memorySVG { try Self.write(Array(timeline.svg(title: title + " — memory").utf8), to: memorySVG) }
        }
        let allocationOutputs: [(Profile?, ProfileFormat, String?, String)] = [
            (allocated, .svg, allocSVG, "allocated bytes"), (allocated, .folded, allocFolded, "allocated bytes"),
            (inUse, .svg, inUseSVG, "bytes in use"), (inUse, .folded, inUseFolded, "bytes in use"),
        ]
        for case let (profile?, format, path?, label) in allocationOutputs {
            try Self.write(try format.render(profile, title: "\(title) — \(label)"), to: path)
        }
        if cpu.isEmpty && !wantsAllocations && !wantsMemory {
            Self.note("no CPU output requested (--folded, --svg, --speedscope, --pprof); folded stacks follow on stdout")
            try Self.write(Array(FoldedStacks.encode(profile).utf8), to: "-")
        }
    }

    /// Writes a heap snapshot in every CPU format asked for (folded stacks on standard
    /// output when none is): pprof with all four sample types, the others with `sample`.
    public func write(heap snapshot: Profile, sample: String, title: String) throws {
        var requested = cpu
        if requested.isEmpty {
            Self.note("no output requested (--folded, --svg, --speedscope, --pprof); folded stacks follow on stdout")
            requested = [(.folded, "-")]
        }
        for (format, path) in requested {
            let profile = format == .pprof ? snapshot : (snapshot.selecting(sample) ?? snapshot)
            try Self.write(try format.render(profile, title: title), to: path)
        }
    }

    /// The sampler's statistics and the ten functions with the most self samples, on standard error.
    public static func report(_ profile: Profile) {
        if let statistics = profile.statistics { note("profile: " + statistics.summary) }
        let total = max(profile.totalCount, 1)
        note("profile: top functions by self samples:")
        for (name, count) in profile.topSelf(limit: 10) {
            let percent = Double(count) * 100 / Double(total)
            note("  \(String(format: "%5.1f%%", percent)) \(String(format: "%6d", count))  \(name)")
        }
    }

    /// Writes `bytes` to `path`, or to standard output for "-".
    public static func write(_ bytes: [UInt8], to path: String) throws {
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

    /// One line on standard error.
    public static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
