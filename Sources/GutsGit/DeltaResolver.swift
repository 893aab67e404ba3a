import GutsCompression
/// Pass 2 and 3 of `PackReader`: turns delta entries into objects.
///
/// Pass 2 (`resolveAll`) builds every delta exactly once: it inflates each base, applies
/// every delta that names it, and descends into those deltas' own dependants before it
/// moves on, the way git's index-pack walks its delta trees. The bases on the current path
/// stay in memory while they fit `PackLimits.deltaBaseCacheBytes`; past that a base is
/// dropped and rebuilt when its next dependant needs it.
///
/// Pass 3 asks for bodies one at a time (`body(of:)`), rebuilding a delta's chain from the
/// file by offset with a byte-bounded LRU of inflated bases; callers that store the pack's
/// own bytes rarely ask.
struct DeltaResolver {
    struct CachedBase {
        var type: ObjectType
        var body: [UInt8]
    }

    enum CacheKey: Hashable {
        case entry(Int)
        case external(ObjectID)
    }

    /// Where the base of the deltas being resolved came from.
    private enum BaseSource {
        case entry(Int)
        case external(ObjectID)
    }

    /// One base on the current path of the depth-first walk, with the deltas that name it.
    private struct Frame {
        var source: BaseSource
        var type: ObjectType
        /// nil when dropped to stay within the memory budget.
        var body: [UInt8]?
        var depth: Int
        var dependants: [Int]
        var next = 0
    }

    let file: PackFile
    var scan: PackScan
    let limits: PackLimits
    let externalBase: (ObjectID) throws -> RawObject?
    /// Inflated bases some delta names, bounded by bytes (`deltaBaseCacheBytes`).
    private var cache: LRUList<CacheKey, CachedBase>
    private var idIndex: [ObjectID: Int] = [:]
    private(set) var externalBaseIDs = Set<ObjectID>()

    init(file: PackFile, scan: PackScan, limits: PackLimits, externalBase: @escaping (ObjectID) throws -> RawObject?) {
        self.file = file
        self.scan = scan
        self.limits = limits
        self.externalBase = externalBase
        self.cache = LRUList(maxEntries: .max, maxCost: limits.deltaBaseCacheBytes)
        for (index, entry) in scan.entries.enumerated() {
            if let id = entry.id, idIndex[id] == nil { idIndex[id] = index }
        }
    }

    /// Resolves every delta, each once, in time linear in the pack whatever order its
    /// entries come in; `inspect` sees every commit, tree and tag a delta produces.
    ///
    /// An OFS_DELTA depends on its base entry, a REF_DELTA on its base id, which is known
    /// only once that base is resolved. Whole objects are the roots; bases still awaited
    /// when the pack has nothing left to give are asked of `externalBase` (a thin pack).
    mutating func resolveAll(inspect: PackReader.Inspector) throws {
        var onEntry: [Int: [Int]] = [:]
        var onID: [ObjectID: [Int]] = [:]
        for (index, entry) in scan.entries.enumerated() where entry.isDelta {
            if let baseID = entry.baseID {
                onID[baseID, default: []].append(index)
            } else {
                onEntry[entry.baseIndex, default: []].append(index)
            }
        }
        guard !onEntry.isEmpty || !onID.isEmpty else { return }
        for index in scan.entries.indices where !scan.entries[index].isDelta {
            let entry = scan.entries[index]
            guard let id = entry.id, let type = entry.type else { continue }
            let dependants = (onEntry.removeValue(forKey: index) ?? []) + (onID.removeValue(forKey: id) ?? [])
            guard !dependants.isEmpty else { continue }
            try resolveDependants(of: .entry(index), type: type, body: try inflate(index), depth: 0, dependants: dependants,
                                  onEntry: &onEntry, onID: &onID, inspect: inspect)
        }
        // A base that is itself a delta of the pack may only come out of another root's
        // walk, so a base the store lacks waits for a later round; each id is asked once.
        var missing = Set<ObjectID>()
        var progressed = true
        while progressed, !onID.isEmpty {
            progressed = false
            for baseID in Array(onID.keys) where !missing.contains(baseID) {
                guard let dependants = onID[baseID] else { continue }
                guard let external = try loadExternal(baseID) else {
                    missing.insert(baseID)
                    continue
                }
                onID[baseID] = nil
                progressed = true
                try resolveDependants(of: .external(baseID), type: external.type, body: external.body, depth: 0,
                                      dependants: dependants, onEntry: &onEntry, onID: &onID, inspect: inspect)
            }
        }
        if let stuck = scan.entries.indices.first(where: { scan.entries[$0].isDelta && scan.entries[$0].id == nil }) {
            let entry = scan.entries[stuck]
            throw PackError.deltaBaseNotFound(firstMissingBase(from: stuck) ?? entry.baseID ?? .zero, offset: entry.offset)
        }
    }

    /// The depth-first walk below one root base.
    private mutating func resolveDependants(
        of source: BaseSource, type: ObjectType, body: [UInt8], depth: Int, dependants: [Int],
        onEntry: inout [Int: [Int]], onID: inout [ObjectID: [Int]], inspect: PackReader.Inspector
    ) throws {
        var path = [Frame(source: source, type: type, body: body, depth: depth, dependants: dependants)]
        var heldBytes = body.count
        while let top = path.indices.last {
            guard path[top].next < path[top].dependants.count else {
                heldBytes -= path[top].body?.count ?? 0
                path.removeLast()
                continue
            }
            let index = path[top].dependants[path[top].next]
            path[top].next += 1
            guard scan.entries[index].id == nil else { continue }
            let base: [UInt8]
            if let held = path[top].body {
                base = held
            } else {
                base = try rebuild(path[top].source)
            }
            let body = try applyDelta(index, to: base)
            let depth = path[top].depth + 1
            let entry = scan.entries[index]
            guard depth <= limits.maxDeltaChainDepth else {
                throw PackError.deltaChainTooDeep(offset: entry.offset, limit: limits.maxDeltaChainDepth)
            }
            let type = path[top].type
            let id = SHA1.objectID(type: type, body: body)
            record(index, id: id, type: type, depth: depth, size: body.count)
            if type != .blob { try inspect(id, type, body) }
            let next = (onEntry.removeValue(forKey: index) ?? []) + (onID.removeValue(forKey: id) ?? [])
            guard !next.isEmpty else { continue }
            // The last dependant of a base no longer needs it: drop it before descending.
            if path[top].next == path[top].dependants.count {
                heldBytes -= path[top].body?.count ?? 0
                path.removeLast()
            }
            let keep = heldBytes + body.count <= limits.deltaBaseCacheBytes
            if keep { heldBytes += body.count }
            path.append(Frame(source: .entry(index), type: type, body: keep ? body : nil, depth: depth, dependants: next))
        }
    }

    private mutating func record(_ index: Int, id: ObjectID, type: ObjectType, depth: Int, size: Int) {
        scan.entries[index].id = id
        scan.entries[index].type = type
        scan.entries[index].depth = depth
        scan.entries[index].resultSize = size
        if idIndex[id] == nil { idIndex[id] = index }
    }

    /// A base dropped from the walk's path, built again.
    private mutating func rebuild(_ source: BaseSource) throws -> [UInt8] {
        switch source {
        case let .entry(index):
            return try body(of: index)
        case let .external(id):
            guard let object = try loadExternal(id) else { throw PackError.deltaBaseNotFound(id, offset: 0) }
            return object.body
        }
    }

    private func applyDelta(_ index: Int, to base: [UInt8]) throws -> [UInt8] {
        let entry = scan.entries[index]
        let instructions = try inflate(index)
        do {
            return try Delta.apply(base: base, delta: instructions)
        } catch let error as DeltaError {
            if case .copyPastBase = error { throw PackError.deltaCopiesPastBase(offset: entry.offset) }
            throw PackError.invalidDelta(offset: entry.offset, reason: error.description)
        }
    }

    private func firstMissingBase(from index: Int) -> ObjectID? {
        var current = index
        for _ in 0...limits.maxDeltaChainDepth {
            let entry = scan.entries[current]
            if let id = entry.baseID {
                guard let next = idIndex[id] else { return id }
                current = next
            } else if entry.baseIndex >= 0 {
                current = entry.baseIndex
            } else {
                return nil
            }
        }
        return nil
    }

    private func wantsCache(_ index: Int) -> Bool {
        let entry = scan.entries[index]
        if entry.isOffsetBase { return true }
        if let id = entry.id { return scan.refBaseIDs.contains(id) }
        return false
    }

    /// The entry's compressed stream as the pack holds it, and its base for a delta.
    /// Only valid once the entry (and so its base) is resolved.
    func encoding(of index: Int) throws -> PackedObject.Encoding {
        let entry = scan.entries[index]
        let compressed = try file.read(at: entry.dataOffset, count: entry.endOffset - entry.dataOffset)
        guard entry.isDelta else { return .whole(compressed: compressed) }
        guard let base = entry.baseID ?? scan.entries[entry.baseIndex].id else {
            throw PackError.deltaBaseNotFound(.zero, offset: entry.offset)
        }
        return .delta(base: base, instructionsSize: entry.size, compressed: compressed)
    }

    /// The inflated stream of one entry (an object body or delta instructions).
    private func inflate(_ index: Int) throws -> [UInt8] {
        let entry = scan.entries[index]
        let compressed = try file.read(at: entry.dataOffset, count: entry.endOffset - entry.dataOffset)
        do {
            return try Zlib.decompress(compressed, expectedSize: entry.size)
        } catch let error as ZlibError {
            throw PackError.corruptZlib(offset: entry.offset, reason: error.message)
        }
    }

    private mutating func loadExternal(_ id: ObjectID) throws -> CachedBase? {
        if let cached = cache.get(.external(id)) { return cached }
        guard let object = try externalBase(id) else { return nil }
        guard object.id == id else { throw PackError.externalBaseMismatch(requested: id, returned: object.id) }
        externalBaseIDs.insert(id)
        let value = CachedBase(type: object.type, body: object.body)
        cache.insert(.external(id), value, cost: value.body.count)
        return value
    }

    /// The body of a resolved entry, rebuilt from the file along its delta chain (bases
    /// that some delta names are kept in the LRU on the way).
    mutating func body(of index: Int) throws -> [UInt8] {
        var chain: [Int] = []
        var current = index
        var base: [UInt8]
        while true {
            if let cached = cache.get(.entry(current)) {
                base = cached.body
                break
            }
            let entry = scan.entries[current]
            if let type = ObjectType(rawValue: entry.kind) {
                base = try inflate(current)
                if wantsCache(current) { cache.insert(.entry(current), CachedBase(type: type, body: base), cost: base.count) }
                break
            }
            chain.append(current)
            guard chain.count <= limits.maxDeltaChainDepth else {
                throw PackError.deltaChainTooDeep(offset: scan.entries[index].offset, limit: limits.maxDeltaChainDepth)
            }
            if let baseID = entry.baseID {
                if let next = idIndex[baseID] {
                    current = next
                } else if let external = try loadExternal(baseID) {
                    base = external.body
                    break
                } else {
                    throw PackError.deltaBaseNotFound(baseID, offset: entry.offset)
                }
            } else {
                current = entry.baseIndex
            }
        }
        for deltaIndex in chain.reversed() {
            base = try applyDelta(deltaIndex, to: base)
            if wantsCache(deltaIndex), let type = scan.entries[deltaIndex].type {
                cache.insert(.entry(deltaIndex), CachedBase(type: type, body: base), cost: base.count)
            }
        }
        return base
    }
}
