import GutsStorage

/// What `guts compact` measured before and after compacting.
public struct CompactionReport: Sendable, Codable, Equatable {
    /// The shape of one column family at one moment.
    public struct FamilyState: Sendable, Codable, Equatable {
        public var family: String
        public var liveDataBytes: Int
        public var pendingCompactionBytes: Int
        public var sstFiles: Int
        public var sstBytes: Int
        /// SST files and bytes per LSM level, index = level.
        public var filesPerLevel: [Int]
        public var bytesPerLevel: [Int]
    }

    public var families: [String]
    public var before: [FamilyState]
    public var after: [FamilyState]
    /// Ranges compacted, and how many were left out because `--max-duration` ran out.
    public var rangesCompacted: Int
    public var rangesSkipped: Int
    public var seconds: Double
    /// What `--prune-unreachable` and `--repack` did, when asked.
    public var prune: Pruner.Report?
    public var repack: Repacker.Report?

    /// SST bytes before minus after (negative when compaction grew the files).
    public var bytesReclaimed: Int {
        before.reduce(0) { $0 + $1.sstBytes } - after.reduce(0) { $0 + $1.sstBytes }
    }

    public var completed: Bool { rangesSkipped == 0 }

    private enum CodingKeys: String, CodingKey {
        case families, before, after, rangesCompacted, rangesSkipped, seconds, bytesReclaimed, completed, prune, repack
    }

    public init(families: [String], before: [FamilyState], after: [FamilyState], rangesCompacted: Int, rangesSkipped: Int, seconds: Double) {
        self.families = families
        self.before = before
        self.after = after
        self.rangesCompacted = rangesCompacted
        self.rangesSkipped = rangesSkipped
        self.seconds = seconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        families = try container.decode([String].self, forKey: .families)
        before = try container.decode([FamilyState].self, forKey: .before)
        after = try container.decode([FamilyState].self, forKey: .after)
        rangesCompacted = try container.decode(Int.self, forKey: .rangesCompacted)
        rangesSkipped = try container.decode(Int.self, forKey: .rangesSkipped)
        seconds = try container.decode(Double.self, forKey: .seconds)
        prune = try container.decodeIfPresent(Pruner.Report.self, forKey: .prune)
        repack = try container.decodeIfPresent(Repacker.Report.self, forKey: .repack)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(families, forKey: .families)
        try container.encode(before, forKey: .before)
        try container.encode(after, forKey: .after)
        try container.encode(rangesCompacted, forKey: .rangesCompacted)
        try container.encode(rangesSkipped, forKey: .rangesSkipped)
        try container.encode(seconds, forKey: .seconds)
        try container.encode(bytesReclaimed, forKey: .bytesReclaimed)
        try container.encode(completed, forKey: .completed)
        try container.encodeIfPresent(prune, forKey: .prune)
        try container.encodeIfPresent(repack, forKey: .repack)
    }

    /// A human-readable table.
    public func render() -> String {
        var lines = [prune?.render(), repack?.render()].compactMap { $0 }
        lines += ["family     live-before  live-after   sst-before   sst-after    files   pending-after  levels(after)"]
        for (old, new) in zip(before, after) {
            let levels = new.filesPerLevel.enumerated().filter { $0.element > 0 }
                .map { "L\($0.offset):\($0.element)/\(new.bytesPerLevel[$0.offset])B" }.joined(separator: " ")
            lines.append(
                [old.family.padding(10), String(old.liveDataBytes).padding(12), String(new.liveDataBytes).padding(12),
                 String(old.sstBytes).padding(12), String(new.sstBytes).padding(12), "\(old.sstFiles)->\(new.sstFiles)".padding(7),
                 String(new.pendingCompactionBytes).padding(14), levels].joined(separator: " "))
        }
        lines.append("reclaimed \(bytesReclaimed) bytes in \(String(format: "%.3f", seconds))s; ranges \(rangesCompacted) compacted, \(rangesSkipped) skipped")
        return lines.joined(separator: "\n")
    }
}
