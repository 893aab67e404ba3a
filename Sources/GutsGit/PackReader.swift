import GutsCompression
/// Reads and verifies a pack file, resolving its deltas, without holding the pack in memory.
///
/// A pack (pack-format) is `"PACK"`, a 4-byte version (2 or 3), a 4-byte object count,
/// that many entries, and a SHA-1 of everything before it. Each entry is a header
/// (see `PackEntryHeader`) followed by a zlib stream with no length prefix: the end of
/// one entry is only known by inflating it.
///
/// Reading happens in three passes over the file:
/// 1. Scan every entry: header, kind, declared size, zlib stream (inflated in chunks,
///    never past the declared size), base reference; hash whole objects as they stream
///    by. Then check the trailer and that nothing follows it.
/// 2. Resolve every delta exactly once, depth first from each base (as git's index-pack
///    does), including chains and REF_DELTA bases that are outside the pack (asked for
///    through `externalBase`), and check every delta.
/// 3. Only then hand each object to `visit`, in pack order.
///
/// So a pack that is malformed in any of those ways never reaches `visit`. `inspect`, when
/// given, sees the body of every commit, tree and tag while passes 1 and 2 have it in hand,
/// so a caller can parse them without inflating anything again; it runs before the pack is
/// known to be valid, so it must only record what it sees.
public struct PackReader: Sendable {
    private enum Source: Sendable {
        case path(String)
        case bytes([UInt8])
    }

    /// Called with the id, type and body of each commit, tree and tag of the pack.
    public typealias Inspector = (ObjectID, ObjectType, [UInt8]) throws -> Void

    private let source: Source
    public let limits: PackLimits

    public init(path: String, limits: PackLimits = .default) {
        self.source = .path(path)
        self.limits = limits
    }

    /// Reads a pack held in memory (convenient for tests and small packs).
    public init(bytes: [UInt8], limits: PackLimits = .default) {
        self.source = .bytes(bytes)
        self.limits = limits
    }

    /// Verifies the whole pack, then calls `visit` once per distinct object, in pack order.
    ///
    /// `externalBase` is asked for REF_DELTA bases the pack does not contain (thin packs);
    /// return nil if the object is unknown, which fails the read.
    public func readObjects(
        externalBase: (ObjectID) throws -> RawObject?,
        visit: (RawObject) throws -> Void
    ) throws -> PackSummary {
        try read(externalBase: externalBase, inspect: { _, _, _ in }, withEncoding: false) { packed, body in
            try visit(RawObject(type: packed.type, body: try body(), knownID: packed.id))
        }
    }

    /// Like `readObjects`, but hands over each entry's compressed bytes and, for a delta,
    /// the id of its base, so the caller can store the pack's representation. The body is
    /// built only if the caller calls the second argument of `visit`.
    public func readPackedObjects(
        externalBase: (ObjectID) throws -> RawObject?,
        inspect: Inspector = { _, _, _ in },
        visit: (PackedObject, () throws -> [UInt8]) throws -> Void
    ) throws -> PackSummary {
        try read(externalBase: externalBase, inspect: inspect, withEncoding: true, visit: visit)
    }

    private func read(
        externalBase: (ObjectID) throws -> RawObject?,
        inspect: Inspector,
        withEncoding: Bool,
        visit: (PackedObject, () throws -> [UInt8]) throws -> Void
    ) throws -> PackSummary {
        let file: PackFile
        switch source {
        case let .path(path): file = try PackFile(path: path)
        case let .bytes(bytes): file = PackFile(bytes: bytes)
        }
        let scan = try PackScan.scan(file, limits: limits, inspect: inspect)
        return try withoutActuallyEscaping(externalBase) { externalBase in
            var resolver = DeltaResolver(file: file, scan: scan, limits: limits, externalBase: externalBase)
            try resolver.resolveAll(inspect: inspect)
            var visited = Set<ObjectID>()
            visited.reserveCapacity(scan.entries.count)
            for index in scan.entries.indices {
                let entry = resolver.scan.entries[index]
                guard let id = entry.id, let type = entry.type else { throw PackError.truncated(offset: entry.offset) }
                guard visited.insert(id).inserted else { continue }
                let encoding = withEncoding ? try resolver.encoding(of: index) : .whole(compressed: [])
                try visit(PackedObject(id: id, type: type, size: entry.resultSize, encoding: encoding)) {
                    try resolver.body(of: index)
                }
            }
            return summary(of: resolver.scan, externalBaseCount: resolver.externalBaseIDs.count)
        }
    }

    private func summary(of state: PackScan, externalBaseCount: Int) -> PackSummary {
        var counts: [ObjectType: Int] = [:]
        for entry in state.entries { counts[entry.type!, default: 0] += 1 }  // safe: resolved entries all have a type
        return PackSummary(
            version: state.version, objectCount: state.entries.count, countsByType: counts,
            deltaCount: state.entries.count(where: { $0.isDelta }),
            externalBaseCount: externalBaseCount, checksum: state.checksum)
    }
}

/// One entry as found by the scan.
struct PackEntry {
    var offset: Int
    /// Where the zlib stream starts and ends in the file.
    var dataOffset: Int
    var endOffset: Int
    /// 1...4 for whole objects, 6 or 7 for deltas.
    var kind: UInt8
    /// Inflated size of the stream (the object, or the delta instructions).
    var size: Int
    /// Inflated size of the object: `size` for whole objects, known after pass 2 for deltas.
    var resultSize: Int = 0
    /// For OFS_DELTA, the index of the base entry.
    var baseIndex: Int = -1
    /// For REF_DELTA, the base's id.
    var baseID: ObjectID?
    /// Known after pass 1 for whole objects, after pass 2 for deltas.
    var id: ObjectID?
    var type: ObjectType?
    var depth: Int = 0
    /// Whether some delta names this entry as its base (worth caching).
    var isOffsetBase = false

    var isDelta: Bool { kind >= PackEntryHeader.offsetDelta }
}

/// The result of pass 1.
struct PackScan {
    var version: UInt32
    var entries: [PackEntry]
    var checksum: ObjectID
    var refBaseIDs: Set<ObjectID>

    static func scan(_ file: PackFile, limits: PackLimits, inspect: PackReader.Inspector) throws -> PackScan {
        let trailerSize = ObjectID.byteCount
        guard file.size >= 12 + trailerSize else { throw PackError.tooShort(size: file.size) }
        let header = try file.read(at: 0, count: 12)
        guard header[0..<4].elementsEqual("PACK".utf8) else { throw PackError.badSignature }
        let version = header[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }  // safe: widening a byte
        guard version == 2 || version == 3 else { throw PackError.unsupportedVersion(version) }
        let count = Int(header[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })  // safe: widening a byte
        guard count <= limits.maxObjectCount else { throw PackError.tooManyObjects(count: count, limit: limits.maxObjectCount) }
        let entriesEnd = file.size - trailerSize
        // Every entry takes at least a header byte and a minimal zlib stream.
        guard count <= entriesEnd - 12 else { throw PackError.truncated(offset: entriesEnd) }

        var input = ScanInput(file: file, offset: 12, end: entriesEnd)
        var inflater = try Inflater()
        var entries: [PackEntry] = []
        entries.reserveCapacity(count)
        var refBaseIDs = Set<ObjectID>()
        for _ in 0..<count {
            let offset = input.offset
            var byte = try input.readByte()
            let kind = (byte >> 4) & 0x07
            var size = Int(byte & 0x0f)
            var shift = 4
            while byte & 0x80 != 0 {
                byte = try input.readByte()
                guard shift <= 56 else { throw PackError.badEntryHeader(offset: offset) }
                size |= Int(byte & 0x7f) << shift
                shift += 7
            }
            var entry = PackEntry(offset: offset, dataOffset: 0, endOffset: 0, kind: kind, size: size)
            switch kind {
            case 1...4:
                break
            case PackEntryHeader.offsetDelta:
                byte = try input.readByte()
                var distance = Int(byte & 0x7f)
                while byte & 0x80 != 0 {
                    byte = try input.readByte()
                    guard distance < (Int.max >> 8) else { throw PackError.badEntryHeader(offset: offset) }
                    distance = (distance + 1) << 7 | Int(byte & 0x7f)
                }
                let baseOffset = offset - distance
                guard distance > 0, let baseIndex = Self.index(of: baseOffset, in: entries) else {
                    throw PackError.badOffsetDelta(offset: offset, baseOffset: baseOffset)
                }
                entry.baseIndex = baseIndex
                entries[baseIndex].isOffsetBase = true
            case PackEntryHeader.refDelta:
                let id = ObjectID(bytes: try input.readBytes(ObjectID.byteCount))
                entry.baseID = id
                refBaseIDs.insert(id)
            default:
                throw PackError.unknownObjectType(kind, offset: offset)
            }
            guard size <= limits.maxObjectSize else {
                throw PackError.objectTooLarge(offset: offset, size: size, limit: limits.maxObjectSize)
            }
            entry.dataOffset = input.offset
            inflater.reset()
            if let type = ObjectType(rawValue: kind) {
                var hasher = SHA1()
                hasher.update(SHA1.objectHeader(type: type, size: size))
                var body: [UInt8]? = nil
                if type != .blob {
                    body = []
                    body?.reserveCapacity(min(size, 1 << 20))
                }
                try input.inflate(&inflater, entryOffset: offset, size: size) { chunk in
                    hasher.update(chunk)
                    body?.append(contentsOf: chunk)
                }
                let id = hasher.finalize()
                if let body { try inspect(id, type, body) }
                entry.id = id
                entry.type = type
                entry.resultSize = size
            } else {
                var prefix: [UInt8] = []
                try input.inflate(&inflater, entryOffset: offset, size: size) { chunk in
                    if prefix.count < 20 { prefix.append(contentsOf: chunk.prefix(20 - prefix.count)) }
                }
                guard let sizes = try? Delta.sizes(of: prefix) else { throw PackError.badDeltaHeader(offset: offset) }
                guard sizes.result <= limits.maxObjectSize else {
                    throw PackError.objectTooLarge(offset: offset, size: sizes.result, limit: limits.maxObjectSize)
                }
                entry.resultSize = sizes.result
            }
            entry.endOffset = input.offset
            entries.append(entry)
        }
        guard input.offset == entriesEnd else {
            throw PackError.trailingGarbage(offset: input.offset, count: entriesEnd - input.offset)
        }
        let expected = ObjectID(bytes: try file.read(at: entriesEnd, count: trailerSize))
        var hasher = SHA1()
        var position = 0
        while position < entriesEnd {
            let chunk = try file.read(at: position, count: min(1 << 20, entriesEnd - position))
            hasher.update(chunk)
            position += chunk.count
        }
        let actual = hasher.finalize()
        guard actual == expected else { throw PackError.trailerMismatch(expected: expected, actual: actual) }
        return PackScan(version: version, entries: entries, checksum: expected, refBaseIDs: refBaseIDs)
    }

    /// Binary search of entries (sorted by offset) for one starting exactly at `offset`.
    static func index(of offset: Int, in entries: [PackEntry]) -> Int? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].offset < offset { low = middle + 1 } else { high = middle }
        }
        return low < entries.count && entries[low].offset == offset ? low : nil
    }
}

/// Sequential buffered reading of the entry region for pass 1.
struct ScanInput {
    let file: PackFile
    /// Entries must end here, where the trailer starts.
    let end: Int
    private var buffer: [UInt8] = []
    private var bufferStart: Int
    private var position = 0

    init(file: PackFile, offset: Int, end: Int) {
        self.file = file
        self.end = end
        self.bufferStart = offset
    }

    var offset: Int { bufferStart + position }

    /// Makes at least one unread byte available; throws `truncated` at the trailer.
    private mutating func refill() throws {
        guard position == buffer.count else { return }
        let start = offset
        guard start < end else { throw PackError.truncated(offset: start) }
        buffer = try file.read(at: start, count: min(1 << 20, end - start))
        bufferStart = start
        position = 0
    }

    mutating func readByte() throws -> UInt8 {
        try refill()
        defer { position += 1 }
        return buffer[position]
    }

    mutating func readBytes(_ count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            try refill()
            let take = min(count - result.count, buffer.count - position)
            result.append(contentsOf: buffer[position..<(position + take)])
            position += take
        }
        return result
    }

    /// Inflates one entry's zlib stream, which must produce exactly `size` bytes.
    mutating func inflate(_ inflater: inout Inflater, entryOffset: Int, size: Int,
                          sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var produced = 0
        while true {
            try refill()
            let step: Inflater.Step
            do {
                step = try buffer.withUnsafeBytes { bytes in
                    try inflater.inflate(UnsafeRawBufferPointer(rebasing: bytes[position...]),
                                         produced: &produced, limit: size, sink: sink)
                }
            } catch let error as ZlibError {
                if error.message.contains("declared size") {
                    throw PackError.expandsPastDeclaredSize(offset: entryOffset, declared: size)
                }
                throw PackError.corruptZlib(offset: entryOffset, reason: error.message)
            }
            position += step.consumed
            if step.finished { break }
            // zlib stops short of the input only at the stream's end; anything else is corrupt.
            guard position == buffer.count else {
                throw PackError.corruptZlib(offset: entryOffset, reason: "inflate made no progress")
            }
        }
        guard produced == size else {
            throw PackError.inflatedSizeMismatch(offset: entryOffset, declared: size, actual: produced)
        }
    }
}
