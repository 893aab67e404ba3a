import GutsCompression
import GutsGit

/// Writes a zip archive with the same entries as `git archive --format=zip`: the same
/// names (directories and gitlinks ending in `/`), contents and Unix modes (executables
/// 0100755, symlinks 0120777 holding their target, plain files and directories without
/// Unix mode), and the commit id as the archive comment.
///
/// Files are deflated at level 6 unless that does not make them smaller; timestamps are
/// the commit time in UTC in MS-DOS form. No zip64: archives must stay under 4 GiB.
public struct ZipWriter: Sendable {
    /// Bytes produced and not yet taken (`take()`).
    private var bytes: [UInt8] = []
    /// Bytes taken so far.
    private var taken = 0
    private var central: [UInt8] = []
    private var count = 0
    private let dosTime: UInt16
    private let dosDate: UInt16

    public init(mtime: Int64) {
        (dosTime, dosDate) = Self.dosDateTime(mtime)
    }

    /// Appends one entry; `path` without a trailing slash, `content` the file data or symlink target.
    public mutating func append(path: [UInt8], mode: FileMode, content: [UInt8]) throws {
        var name = path
        var method: UInt16 = 0
        var data: [UInt8] = []
        var crc: UInt32 = 0
        var size = 0
        var externalAttributes: UInt32 = 0
        var madeBy: UInt16 = 0x003F
        switch mode {
        case .directory, .gitlink:
            name.append(UInt8(ascii: "/"))
            externalAttributes = 0x10
        case .symlink:
            data = content
            crc = Zlib.crc32(content)
            size = content.count
            externalAttributes = (0o120777 as UInt32) << 16
            madeBy = 0x0317
        default:
            crc = Zlib.crc32(content)
            size = content.count
            data = content
            if mode.rawValue & 0o111 != 0 {
                externalAttributes = (0o100755 as UInt32) << 16
                madeBy = 0x0317
            }
            if !content.isEmpty {
                let deflated = try Zlib.compress(content, level: 6, format: .raw)
                if deflated.count < content.count {
                    data = deflated
                    method = 8
                }
            }
        }
        guard taken + bytes.count < Int(UInt32.max), data.count < Int(UInt32.max), size < Int(UInt32.max) else {
            throw AdminError.failed("zip archive larger than 4 GiB is not supported")
        }
        guard name.count <= Int(UInt16.max) else {
            throw AdminError.failed("a path of \(name.count) bytes does not fit in a zip entry (at most 65535)")
        }
        let flags: UInt16 = name.allSatisfy { $0 < 0x80 } ? 0 : 0x0800
        let needed: UInt16 = method == 8 ? 20 : 10
        let offset = UInt32(taken + bytes.count)  // safe: checked against UInt32.max above

        Self.le32(&bytes, 0x0403_4b50)
        Self.le16(&bytes, needed)
        Self.le16(&bytes, flags)
        Self.le16(&bytes, method)
        Self.le16(&bytes, dosTime)
        Self.le16(&bytes, dosDate)
        Self.le32(&bytes, crc)
        Self.le32(&bytes, UInt32(data.count))  // safe: checked against UInt32.max above
        Self.le32(&bytes, UInt32(size))  // safe: checked against UInt32.max above
        Self.le16(&bytes, UInt16(name.count))  // safe: checked against UInt16.max above
        Self.le16(&bytes, 0)
        bytes += name
        bytes += data

        Self.le32(&central, 0x0201_4b50)
        Self.le16(&central, madeBy)
        Self.le16(&central, needed)
        Self.le16(&central, flags)
        Self.le16(&central, method)
        Self.le16(&central, dosTime)
        Self.le16(&central, dosDate)
        Self.le32(&central, crc)
        Self.le32(&central, UInt32(data.count))  // safe: checked against UInt32.max above
        Self.le32(&central, UInt32(size))  // safe: checked against UInt32.max above
        Self.le16(&central, UInt16(name.count))  // safe: checked against UInt16.max above
        Self.le16(&central, 0)
        Self.le16(&central, 0)
        Self.le16(&central, 0)
        Self.le16(&central, 0)
        Self.le32(&central, externalAttributes)
        Self.le32(&central, offset)
        central += name
        count += 1
    }

    /// The bytes produced since the last call, for the caller to write out.
    public mutating func take() -> [UInt8] {
        defer {
            taken += bytes.count
            bytes = []
        }
        return bytes
    }

    /// The central directory and end record with `comment`; returns what was not taken yet.
    public mutating func finish(comment: [UInt8]) throws -> [UInt8] {
        guard count < 0xFFFF else { throw AdminError.failed("zip archive with 65535 or more entries is not supported") }
        guard taken + bytes.count + central.count < Int(UInt32.max), comment.count <= Int(UInt16.max) else {
            throw AdminError.failed("zip archive larger than 4 GiB is not supported")
        }
        let centralOffset = UInt32(taken + bytes.count)  // safe: checked against UInt32.max above
        bytes += central
        Self.le32(&bytes, 0x0605_4b50)
        Self.le16(&bytes, 0)
        Self.le16(&bytes, 0)
        Self.le16(&bytes, UInt16(count))  // safe: count < 0xFFFF, checked above
        Self.le16(&bytes, UInt16(count))  // safe: count < 0xFFFF, checked above
        Self.le32(&bytes, UInt32(central.count))  // safe: checked against UInt32.max above
        Self.le32(&bytes, centralOffset)
        Self.le16(&bytes, UInt16(comment.count))  // safe: checked against UInt16.max above
        bytes += comment
        return bytes
    }

    static func dosDateTime(_ seconds: Int64) -> (time: UInt16, date: UInt16) {
        var civil = CivilTime(secondsSince1970: Int(max(seconds, 315_532_800)))  // 1980-01-01, the DOS epoch
        civil.year = min(civil.year, 2107)
        // safe: each field is within its bit width (hours < 24, year clamped to 1980...2107).
        let time = UInt16(civil.hour) << 11 | UInt16(civil.minute) << 5 | UInt16(civil.second / 2)
        let date = UInt16(civil.year - 1980) << 9 | UInt16(civil.month) << 5 | UInt16(civil.day)  // safe: year is clamped to 1980...2107
        return (time, date)
    }

    private static func le16(_ out: inout [UInt8], _ value: UInt16) {
        out.append(UInt8(value & 0xff))  // safe: masked to 8 bits
        out.append(UInt8(value >> 8))  // safe: a UInt16 shifted right by 8 fits in 8 bits
    }

    private static func le32(_ out: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((value >> UInt32(shift)) & 0xff)) }  // safe: masked to 8 bits, shift is 0...24
    }
}
