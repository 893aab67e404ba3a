/// An identity with a timestamp, as in `author`, `committer` and `tagger` lines:
/// `Name <email> 1700000000 +0100`.
public struct Signature: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var email: String
    /// Seconds since the Unix epoch.
    public var time: Int64
    /// The offset exactly as written, e.g. `"+0100"` or `"-0730"`.
    public var timezone: String

    /// The line as parsed, kept when re-encoding the fields would not reproduce it
    /// (non-UTF-8 names, odd spacing), so objects still round-trip byte for byte.
    private var original: [UInt8]?
    private var originalFields: [String]?

    public init(name: String, email: String, time: Int64, timezone: String) {
        self.name = name
        self.email = email
        self.time = time
        self.timezone = timezone
    }

    /// False for a line git's fsck would flag (`missingEmail`, `badDate`, `badTimezone`...),
    /// kept as it came by `init(lenient:)`.
    public private(set) var isWellFormed = true

    /// Parses `Name <email> time tz`; for a line that is not of that shape, keeps its
    /// bytes (so the object round-trips) with time 0 and `isWellFormed` false: old
    /// histories hold such lines, and git accepts them.
    public init<Bytes: Collection>(lenient bytes: Bytes) where Bytes.Element == UInt8 {
        if let parsed = Signature(parsing: bytes) {
            self = parsed
            return
        }
        self.init(name: String(decoding: bytes, as: UTF8.self), email: "", time: 0, timezone: "")
        original = Array(bytes)
        originalFields = fields
        isWellFormed = false
    }

    /// Parses `Name <email> time tz`; nil when there is no `<...>` pair or no time.
    public init?<Bytes: Collection>(parsing bytes: Bytes) where Bytes.Element == UInt8 {
        let line = Array(bytes)
        guard let open = line.firstIndex(of: UInt8(ascii: "<")),
              let close = line[open...].firstIndex(of: UInt8(ascii: ">"))
        else { return nil }
        var nameEnd = open
        while nameEnd > 0 && line[nameEnd - 1] == UInt8(ascii: " ") { nameEnd -= 1 }
        let rest = line[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard rest.count == 2, let time = Int64(String(decoding: rest[0], as: UTF8.self)) else { return nil }
        self.init(
            name: String(decoding: line[..<nameEnd], as: UTF8.self),
            email: String(decoding: line[(open + 1)..<close], as: UTF8.self),
            time: time,
            timezone: String(decoding: rest[1], as: UTF8.self))
        if canonicalBytes() != line {
            original = line
            originalFields = fields
        }
    }

    private var fields: [String] { [name, email, String(time), timezone] }

    private func canonicalBytes() -> [UInt8] {
        Array("\(name) <\(email)> \(time) \(timezone)".utf8)
    }

    /// The line's bytes (without the `author ` key or newline).
    public func serialized() -> [UInt8] {
        if let original, originalFields == fields { return original }
        return canonicalBytes()
    }

    public var description: String { String(decoding: serialized(), as: UTF8.self) }
}
