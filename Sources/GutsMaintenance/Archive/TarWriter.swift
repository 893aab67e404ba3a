import GutsGit

/// Writes a tar stream laid out exactly like `git archive --format=tar`.
///
/// The format, as git produces it:
///
/// - A pax global extended header first (typeflag `g`, name `pax_global_header`, mode
///   0666) whose only record is `comment=<commit id>`; an `mtime` record is added when
///   the commit time does not fit ustar's 11 octal digits, and the header time is then
///   clamped.
/// - One 512-byte ustar header per entry: octal fields zero-padded to width-1 digits and
///   NUL-terminated, uid/gid 0, uname/gname `root`, magic `ustar\0` version `00`, mtime =
///   commit time for every entry, checksum as 7 octal digits and a NUL.
/// - Modes after git's default `tar.umask` of 002: files 0664, executables 0775,
///   directories and gitlinks 0775 (typeflag `5`, path ending in `/`), symlinks 0777
///   (typeflag `2`, target in `linkname`, size 0).
/// - Paths longer than 100 bytes are split at a `/` into `prefix` + `name`; when that is
///   impossible the name becomes `<object id>.data` and a pax extended header (typeflag
///   `x`, name `<object id>.paxheader`) carries `path`; long symlink targets likewise
///   use `linkpath`.
/// - File data padded to 512 bytes; the stream ends with zeros up to a multiple of
///   10240 bytes (git's 20-record blocking factor), at least 1024 of them.
public struct TarWriter: Sendable {
    static let recordSize = 512
    static let blockSize = 512 * 20
    /// Largest value 11 octal digits hold.
    static let maxOctal11: Int64 = 0o77777777777
    static let umask: UInt32 = 0o002

    /// Bytes produced and not yet taken (`take()`).
    public private(set) var bytes: [UInt8] = []
    /// Bytes taken so far.
    private var taken = 0
    private var mtime: Int64

    /// Starts a stream for `commit` whose entries all carry `mtime`, writing the global header.
    public init(commit: ObjectID?, mtime: Int64) {
        self.mtime = mtime
        var records: [UInt8] = []
        if let commit { Self.appendRecord(&records, keyword: "comment", value: Array(commit.hex.utf8)) }
        if mtime > Self.maxOctal11 {
            Self.appendRecord(&records, keyword: "mtime", value: Array(String(mtime).utf8))
            self.mtime = Self.maxOctal11
        }
        guard !records.isEmpty else { return }
        var header = Self.header(name: Array("pax_global_header".utf8), typeflag: UInt8(ascii: "g"))
        prepare(&header, mode: 0o100666, size: records.count)
        appendBlocked(header)
        appendBlocked(records)
    }

    /// Appends one entry. `path` is the full path without a trailing slash; `content` is
    /// the file data or, for a symlink, its target. `id` names long-path fallbacks.
    public mutating func append(path: [UInt8], mode: FileMode, id: ObjectID, content: [UInt8]) {
        var records: [UInt8] = []
        var fullPath = path
        let typeflag: UInt8
        var headerMode: UInt32
        switch mode {
        case .directory, .gitlink:
            typeflag = UInt8(ascii: "5")
            headerMode = (mode.rawValue | 0o777) & ~Self.umask
            fullPath.append(UInt8(ascii: "/"))
        case .symlink:
            typeflag = UInt8(ascii: "2")
            headerMode = mode.rawValue | 0o777
        default:
            typeflag = UInt8(ascii: "0")
            headerMode = (mode.rawValue | ((mode.rawValue & 0o100) != 0 ? 0o777 : 0o666)) & ~Self.umask
        }
        var header = [UInt8](repeating: 0, count: Self.recordSize)
        header[156] = typeflag
        if fullPath.count > 100 {
            let prefixLength = Self.splitPoint(fullPath, maxPrefix: 155)
            let rest = fullPath.count - prefixLength - 1
            if prefixLength > 0 && rest <= 100 {
                header.replaceSubrange(345..<(345 + prefixLength), with: fullPath[..<prefixLength])
                header.replaceSubrange(0..<rest, with: fullPath[(prefixLength + 1)...])
            } else {
                Self.put(&header, at: 0, width: 100, Array((id.hex + ".data").utf8))
                Self.appendRecord(&records, keyword: "path", value: fullPath)
            }
        } else {
            header.replaceSubrange(0..<fullPath.count, with: fullPath)
        }
        if mode == .symlink {
            if content.count > 100 {
                Self.put(&header, at: 157, width: 100, Array("see \(id.hex).paxheader".utf8))
                Self.appendRecord(&records, keyword: "linkpath", value: content)
            } else {
                header.replaceSubrange(157..<(157 + content.count), with: content)
            }
        }
        let isRegular = typeflag == UInt8(ascii: "0")
        var sizeInHeader = content.count
        if isRegular && Int64(content.count) > Self.maxOctal11 {
            sizeInHeader = 0
            Self.appendRecord(&records, keyword: "size", value: Array(String(content.count).utf8))
        }
        prepare(&header, mode: headerMode, size: isRegular ? sizeInHeader : 0)
        if !records.isEmpty {
            var extended = Self.header(name: Array("\(id.hex).paxheader".utf8), typeflag: UInt8(ascii: "x"))
            prepare(&extended, mode: 0o100666, size: records.count)
            appendBlocked(extended)
            appendBlocked(records)
        }
        appendBlocked(header)
        if isRegular && !content.isEmpty { appendBlocked(content) }
    }

    /// The bytes produced since the last call, for the caller to write out.
    public mutating func take() -> [UInt8] {
        defer {
            taken += bytes.count
            bytes = []
        }
        return bytes
    }

    /// Ends the stream with git's trailer and returns what was not taken yet.
    public mutating func finish() -> [UInt8] {
        let tail = Self.blockSize - (taken + bytes.count) % Self.blockSize
        bytes.append(contentsOf: repeatElement(0, count: tail))
        if tail < 2 * Self.recordSize { bytes.append(contentsOf: repeatElement(0, count: Self.blockSize)) }
        return bytes
    }

    // MARK: - Encoding

    private static func header(name: [UInt8], typeflag: UInt8) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: recordSize)
        put(&header, at: 0, width: 100, name)
        header[156] = typeflag
        return header
    }

    /// Fills the common fields and the checksum.
    private func prepare(_ header: inout [UInt8], mode: UInt32, size: Int) {
        Self.octal(&header, at: 100, width: 8, Int64(mode & 0o7777))
        Self.octal(&header, at: 108, width: 8, 0)
        Self.octal(&header, at: 116, width: 8, 0)
        Self.octal(&header, at: 124, width: 12, Int64(size))
        Self.octal(&header, at: 136, width: 12, mtime)
        Self.put(&header, at: 257, width: 6, Array("ustar\0".utf8))
        Self.put(&header, at: 263, width: 2, Array("00".utf8))
        Self.put(&header, at: 265, width: 32, Array("root".utf8))
        Self.put(&header, at: 297, width: 32, Array("root".utf8))
        Self.octal(&header, at: 329, width: 8, 0)
        Self.octal(&header, at: 337, width: 8, 0)
        var checksum = 8 * Int64(UInt8(ascii: " "))
        for (index, byte) in header.enumerated() where !(148..<156).contains(index) { checksum += Int64(byte) }
        Self.octal(&header, at: 148, width: 8, checksum)
    }

    /// `width - 1` zero-padded octal digits and a NUL (more digits if the value needs them,
    /// truncated to the field like `snprintf`).
    private static func octal(_ header: inout [UInt8], at offset: Int, width: Int, _ value: Int64) {
        var digits = Array(String(value, radix: 8).utf8)
        if digits.count < width - 1 { digits = Array(repeating: UInt8(ascii: "0"), count: width - 1 - digits.count) + digits }
        put(&header, at: offset, width: width, Array(digits.prefix(width - 1)) + [0])
    }

    private static func put(_ header: inout [UInt8], at offset: Int, width: Int, _ value: [UInt8]) {
        let count = min(width, value.count)
        header.replaceSubrange(offset..<(offset + count), with: value[..<count])
    }

    /// Where to split a long path into ustar `prefix` and `name`: the last `/` within the
    /// first `maxPrefix` bytes, ignoring a trailing slash; 0 when there is none.
    static func splitPoint(_ path: [UInt8], maxPrefix: Int) -> Int {
        var index = path.count
        if index > 1 && path[index - 1] == UInt8(ascii: "/") { index -= 1 }
        index = min(index, maxPrefix)
        repeat { index -= 1 } while index > 0 && path[index] != UInt8(ascii: "/")
        return index
    }

    /// A pax record `"<length> <keyword>=<value>\n"`, where length counts itself.
    static func appendRecord(_ records: inout [UInt8], keyword: String, value: [UInt8]) {
        var length = 1 + 1 + keyword.utf8.count + 1 + value.count + 1
        var scale = 1
        while length / 10 >= scale {
            length += 1
            scale *= 10
        }
        records += Array("\(length) \(keyword)=".utf8) + value + [UInt8(ascii: "\n")]
    }

    private mutating func appendBlocked(_ data: [UInt8]) {
        bytes += data
        let remainder = data.count % Self.recordSize
        if remainder != 0 { bytes.append(contentsOf: repeatElement(0, count: Self.recordSize - remainder)) }
    }
}
