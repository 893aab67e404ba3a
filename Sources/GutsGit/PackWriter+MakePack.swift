extension PackWriter {
    /// Builds a complete pack of `objects`, ordered commits, tags, trees, blobs (larger
    /// first within a type). With `useDeltas`, each object is tried as a delta against
    /// the previous `window` objects of its type and stored as an OFS_DELTA when that is
    /// smaller, keeping chains at most `maxDepth` long.
    public static func makePack(objects: [RawObject], useDeltas: Bool, window: Int = 10, maxDepth: Int = 50) throws -> [UInt8] {
        var seen = Set<ObjectID>()
        let unique = objects.filter { seen.insert($0.id).inserted }
        let rank: [ObjectType: Int] = [.commit: 0, .tag: 1, .tree: 2, .blob: 3]
        let ordered = unique.enumerated().sorted { lhs, rhs in
            let (left, right) = (lhs.element, rhs.element)
            if left.type != right.type { return rank[left.type]! < rank[right.type]! }  // safe: rank lists every object type
            if left.type == .commit || left.type == .tag { return lhs.offset < rhs.offset }
            if left.body.count != right.body.count { return left.body.count > right.body.count }
            return lhs.offset < rhs.offset
        }.map(\.element)

        struct Candidate {
            var index: DeltaIndex
            var offset: Int
            var depth: Int
        }
        var writer = PackWriter(objectCount: ordered.count)
        var output: [UInt8] = []
        var recent: [Candidate] = []
        var recentType: ObjectType?
        for object in ordered {
            if recentType != object.type {
                recent.removeAll()
                recentType = object.type
            }
            var best: (delta: [UInt8], candidate: Candidate)?
            if useDeltas && object.body.count >= 32 && object.type != .commit && object.type != .tag {
                for candidate in recent where candidate.depth < maxDepth {
                    // A base much larger or smaller than the target rarely pays.
                    let baseSize = candidate.index.base.count
                    guard baseSize / 4 <= object.body.count && object.body.count / 4 <= baseSize else { continue }
                    guard let delta = candidate.index.delta(to: object.body) else { continue }
                    if delta.count < (best?.delta.count ?? object.body.count / 2) { best = (delta, candidate) }
                }
            }
            let offset: Int
            let depth: Int
            if let best {
                offset = try writer.addOffsetDelta(baseOffset: best.candidate.offset, delta: best.delta)
                depth = best.candidate.depth + 1
            } else {
                offset = try writer.add(object)
                depth = 0
            }
            if useDeltas && object.body.count >= 32 {
                recent.append(Candidate(index: DeltaIndex(base: object.body), offset: offset, depth: depth))
                if recent.count > window { recent.removeFirst() }
            }
            output.append(contentsOf: writer.takeOutput())
        }
        writer.finish()
        output.append(contentsOf: writer.takeOutput())
        return output
    }
}
