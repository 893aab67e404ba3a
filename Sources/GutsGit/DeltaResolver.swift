/// Pass 2 and 3 of `PackReader`: turns delta entries into objects.
///
/// Entries are re-read from the file by offset. Inflated objects that some delta uses
/// as a base go into a byte-bounded LRU cache; everything else is dropped after use,
/// so memory stays near the cache budget plus the largest object.
struct DeltaResolver {
    enum CacheKey: Hashable {
        case entry(Int)
        case external(ObjectID)
    }

    let file: PackFile
    var scan: PackScan
    let limits: PackLimits
    let externalBase: (ObjectID) throws -> RawObject?
    private var cache: ByteBoundedLRU<CacheKey>
    private var idIndex: [ObjectID: Int] = [:]
    private(set) var externalBaseIDs = Set<ObjectID>()
    private var externalMissing = Set<ObjectID>()
    private var externalDepth: [ObjectID: Int] = [:]

    init(file: PackFile, scan: PackScan, limits: PackLimits, externalBase: @escaping (ObjectID) throws -> RawObject?) {
        self.file = file
        self.scan = scan
        self.limits = limits
        self.externalBase = externalBase
        self.cache = ByteBoundedLRU(capacity: limits.deltaBaseCacheBytes)
        for (index, entry) in scan.entries.enumerated() {
            if let id = entry.id, idIndex[id] == nil { idIndex[id] = index }
        }
    }

    /// Resolves every delta, in time linear in the pack whatever order its entries come in.
    ///
    /// Each delta waits on its base: an OFS_DELTA on its base entry, a REF_DELTA on its
    /// base id, which is known only once that base is resolved. Resolving an object
    /// releases exactly the deltas waiting on it. When nothing in the pack is left to
    /// release them, the bases still awaited are asked of `externalBase` (a thin pack).
    mutating func resolveAll() throws {
        var waitingOnID: [ObjectID: [Int]] = [:]
        var waitingOnEntry: [Int: [Int]] = [:]
        var ready: [Int] = []
        for (index, entry) in scan.entries.enumerated() {
            if entry.id != nil {
                ready.append(index)
            } else if let baseID = entry.baseID {
                waitingOnID[baseID, default: []].append(index)
            } else {
                waitingOnEntry[entry.baseIndex, default: []].append(index)
            }
        }
        while true {
            while let index = ready.popLast() {
                guard let id = scan.entries[index].id else { continue }
                let released = (waitingOnEntry.removeValue(forKey: index) ?? []) + (waitingOnID.removeValue(forKey: id) ?? [])
                for child in released where scan.entries[child].id == nil {
                    if try materialize(child, useExternal: false) != nil { ready.append(child) }
                }
            }
            guard let stuck = waitingOnID.values.first?.first ?? waitingOnEntry.values.first?.first else { return }
            var progressed = false
            for (baseID, children) in waitingOnID where try loadExternal(baseID) != nil {
                waitingOnID[baseID] = nil
                for child in children where scan.entries[child].id == nil {
                    if try materialize(child, useExternal: true) != nil {
                        ready.append(child)
                        progressed = true
                    }
                }
            }
            if !progressed {
                let entry = scan.entries[stuck]
                throw PackError.deltaBaseNotFound(firstMissingBase(from: stuck) ?? entry.baseID ?? .zero, offset: entry.offset)
            }
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
        let base = entry.baseID ?? scan.entries[entry.baseIndex].id!  // safe: the base entry was resolved before the delta
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

    private mutating func loadExternal(_ id: ObjectID) throws -> ByteBoundedLRU<CacheKey>.Value? {
        if let cached = cache.get(.external(id)) { return cached }
        guard !externalMissing.contains(id) else { return nil }
        guard let object = try externalBase(id) else {
            externalMissing.insert(id)
            return nil
        }
        guard object.id == id else { throw PackError.externalBaseMismatch(requested: id, returned: object.id) }
        externalBaseIDs.insert(id)
        let value = ByteBoundedLRU<CacheKey>.Value(type: object.type, body: object.body)
        cache.put(.external(id), value)
        return value
    }

    /// The object entry `index` produces, or nil if a REF_DELTA base in its chain is not
    /// (yet) known. Records ids, types and depths of every entry resolved on the way.
    mutating func materialize(_ index: Int, useExternal: Bool) throws -> ByteBoundedLRU<CacheKey>.Value? {
        var chain: [Int] = []
        var current = index
        var base: ByteBoundedLRU<CacheKey>.Value
        var baseDepth = 0
        while true {
            if let cached = cache.get(.entry(current)) {
                base = cached
                baseDepth = scan.entries[current].depth
                break
            }
            let entry = scan.entries[current]
            if let type = ObjectType(rawValue: entry.kind) {
                base = .init(type: type, body: try inflate(current))
                if wantsCache(current) { cache.put(.entry(current), base) }
                break
            }
            chain.append(current)
            guard chain.count <= limits.maxDeltaChainDepth else {
                throw PackError.deltaChainTooDeep(offset: scan.entries[index].offset, limit: limits.maxDeltaChainDepth)
            }
            if let baseID = entry.baseID {
                if let next = idIndex[baseID] {
                    current = next
                } else if useExternal, let external = try loadExternal(baseID) {
                    base = external
                    break
                } else {
                    return nil
                }
            } else {
                current = entry.baseIndex
            }
        }
        for (position, deltaIndex) in chain.enumerated().reversed() {
            let entry = scan.entries[deltaIndex]
            let instructions = try inflate(deltaIndex)
            let body: [UInt8]
            do {
                body = try Delta.apply(base: base.body, delta: instructions)
            } catch let error as DeltaError {
                if case .copyPastBase = error { throw PackError.deltaCopiesPastBase(offset: entry.offset) }
                throw PackError.invalidDelta(offset: entry.offset, reason: error.description)
            }
            base = .init(type: base.type, body: body)
            let depth = baseDepth + (chain.count - position)
            guard depth <= limits.maxDeltaChainDepth else {
                throw PackError.deltaChainTooDeep(offset: entry.offset, limit: limits.maxDeltaChainDepth)
            }
            if scan.entries[deltaIndex].id == nil {
                let id = SHA1.objectID(type: base.type, body: body)
                scan.entries[deltaIndex].id = id
                scan.entries[deltaIndex].type = base.type
                scan.entries[deltaIndex].depth = depth
                if idIndex[id] == nil { idIndex[id] = deltaIndex }
            }
            if wantsCache(deltaIndex) { cache.put(.entry(deltaIndex), base) }
        }
        return base
    }
}
