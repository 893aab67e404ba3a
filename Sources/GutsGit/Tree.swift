#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory listing: entries of `<octal mode> <name>\0<20-byte id>`.
public struct Tree: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var mode: FileMode
        /// The raw name bytes; git does not require them to be UTF-8.
        public var name: [UInt8]
        public var id: ObjectID
        /// Zeros written before the mode (`040000` has one), as some old tools did; the
        /// tree's bytes keep them, which is why its id is what it is.
        public var modeLeadingZeros = 0

        /// The mode was written with leading zeros (git fsck's `zeroPaddedFilemode`).
        public var zeroPaddedMode: Bool { modeLeadingZeros > 0 }

        public init(mode: FileMode, name: [UInt8], id: ObjectID) {
            self.mode = mode
            self.name = name
            self.id = id
        }

        public init(mode: FileMode, name: String, id: ObjectID) {
            self.init(mode: mode, name: Array(name.utf8), id: id)
        }

        /// The name as text (invalid UTF-8 is replaced).
        public var nameString: String { String(decoding: name, as: UTF8.self) }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public init(parsing body: [UInt8]) throws {
        var entries: [Entry] = []
        try body.withUnsafeBytes { bytes in
            try Self.scan(bytes) { scanned in
                var entry = Entry(mode: scanned.mode, name: Array(bytes[scanned.name]), id: scanned.id)
                entry.modeLeadingZeros = scanned.modeLeadingZeros
                entries.append(entry)
            }
        }
        self.entries = entries
    }

    /// Calls `visit` with the mode and id of each entry of a tree's body, in order, without
    /// copying names out: what walks need. Throws for the bodies `init(parsing:)` refuses.
    public static func forEachEntry(in body: [UInt8], _ visit: (FileMode, ObjectID) throws -> Void) throws {
        try body.withUnsafeBytes { bytes in
            try scan(bytes) { try visit($0.mode, $0.id) }
        }
    }

    /// One entry as `scan` finds it in a tree's bytes: its name is a range of them.
    struct ScannedEntry {
        var mode: FileMode
        var modeLeadingZeros: Int
        var name: Range<Int>
        var id: ObjectID
    }

    /// The one parser of tree bodies: `<octal mode> <name>\0<20-byte id>` entries, read in
    /// place; throws `GitObjectError` for bytes that are not a tree.
    static func scan(_ bytes: UnsafeRawBufferPointer, _ visit: (ScannedEntry) throws -> Void) throws {
        var position = 0
        while position < bytes.count {
            let start = position
            var mode: UInt32 = 0
            var digits = 0
            var leadingZeros = 0
            while position < bytes.count, bytes[position] != UInt8(ascii: " ") {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 8, digits < 7 else {
                    throw GitObjectError(type: .tree, offset: position, reason: "bad mode digit in entry")
                }
                if digit == 0, mode == 0 { leadingZeros += 1 }
                mode = mode << 3 | UInt32(digit)  // safe: digit < 8, checked above
                digits += 1
                position += 1
            }
            guard digits > 0, position < bytes.count else {
                throw GitObjectError(type: .tree, offset: start, reason: "entry without mode")
            }
            position += 1
            guard let nul = firstNUL(in: bytes, from: position) else {
                throw GitObjectError(type: .tree, offset: start, reason: "entry name not terminated by NUL")
            }
            let name = position..<nul
            position = nul + 1
            guard bytes.count - position >= ObjectID.byteCount else {
                throw GitObjectError(type: .tree, offset: start, reason: "entry truncated inside its object id")
            }
            let id = ObjectID(raw: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + ObjectID.byteCount)]))
            position += ObjectID.byteCount
            // "0" alone is a mode of zero, not a padded one.
            try visit(ScannedEntry(mode: FileMode(rawValue: mode), modeLeadingZeros: min(leadingZeros, digits - 1), name: name, id: id))
        }
    }

    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 48)
        for entry in entries {
            out.append(contentsOf: [UInt8](repeating: UInt8(ascii: "0"), count: entry.modeLeadingZeros))
            out.append(contentsOf: entry.mode.octal)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: entry.name)
            out.append(0)
            entry.id.appendBytes(to: &out)
        }
        return out
    }

    /// Whether `lhs` sorts before `rhs` in git's tree order, where a directory's
    /// name compares as if it ended in `/`.
    public static func gitOrder(_ lhs: Entry, _ rhs: Entry) -> Bool {
        compareGitOrder(lhs, rhs) < 0
    }

    /// -1, 0 or 1 comparing two entries in git's tree order.
    static func compareGitOrder(_ lhs: Entry, _ rhs: Entry) -> Int {
        let common = min(lhs.name.count, rhs.name.count)
        for index in 0..<common where lhs.name[index] != rhs.name[index] {
            return lhs.name[index] < rhs.name[index] ? -1 : 1
        }
        let slash = UInt8(ascii: "/")
        let left: UInt8? = lhs.name.count > common ? lhs.name[common] : (lhs.mode.isDirectory ? slash : nil)
        let right: UInt8? = rhs.name.count > common ? rhs.name[common] : (rhs.mode.isDirectory ? slash : nil)
        switch (left, right) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (l?, r?): return l == r ? 0 : (l < r ? -1 : 1)
        }
    }
}

/// The index of the first 0 byte of `bytes` at or after `start` (memchr: tree names are
/// searched for every entry of every pushed tree).
func firstNUL(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
    guard start < bytes.count, let base = bytes.baseAddress, let found = memchr(base + start, 0, bytes.count - start) else { return nil }
    return base.distance(to: UnsafeRawPointer(found))
}
