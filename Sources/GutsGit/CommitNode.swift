/// What history walks need of a commit, without its message or identities: the commit
/// graph's entry (the idea of git's commit-graph file, kept per commit).
///
/// `generation` is 1 for a root commit and one more than its highest parent otherwise,
/// so a commit can only reach commits of lower generation; 0 means unknown (a parent
/// had no entry), and walks then do not prune by it.
public struct CommitNode: Sendable, Equatable {
    public var tree: ObjectID
    public var parents: [ObjectID]
    /// Committer time, seconds since the epoch.
    public var time: Int64
    public var generation: Int

    public init(tree: ObjectID, parents: [ObjectID], time: Int64, generation: Int = 0) {
        self.tree = tree
        self.parents = parents
        self.time = time
        self.generation = generation
    }

    public init(_ commit: Commit) {
        self.init(tree: commit.tree, parents: commit.parents, time: commit.committer.time)
    }

    /// `[varint generation][varint zigzag time][tree][varint parent count][parents]`.
    public func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(24 + 20 * (parents.count + 1))
        LEB128.append(UInt64(truncatingIfNeeded: generation), to: &out)
        LEB128.append(UInt64(bitPattern: (time << 1) ^ (time >> 63)), to: &out)
        tree.appendBytes(to: &out)
        LEB128.append(UInt64(truncatingIfNeeded: parents.count), to: &out)
        for parent in parents { parent.appendBytes(to: &out) }
        return out
    }

    /// Decodes `encoded()`; nil for any other bytes.
    public init?(decoding bytes: [UInt8]) {
        var offset = 0
        guard let generation = LEB128.read(bytes, at: &offset), generation <= UInt64(Int.max),
              let zigzag = LEB128.read(bytes, at: &offset), offset + ObjectID.byteCount <= bytes.count else { return nil }
        let tree = ObjectID(bytes: bytes[offset..<(offset + ObjectID.byteCount)])
        offset += ObjectID.byteCount
        guard let count = LEB128.read(bytes, at: &offset), count <= UInt64((bytes.count - offset) / ObjectID.byteCount),
              offset + Int(count) * ObjectID.byteCount == bytes.count else { return nil }
        let parents = (0..<Int(count)).map { index in
            ObjectID(bytes: bytes[(offset + index * ObjectID.byteCount)..<(offset + (index + 1) * ObjectID.byteCount)])
        }
        let time = Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1)))
        self.init(tree: tree, parents: parents, time: time, generation: Int(generation))
    }
}
