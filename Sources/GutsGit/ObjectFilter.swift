/// A partial clone's object filter: which objects a fetch leaves out, as the client's
/// `--filter=<spec>` names them (git's `Documentation/rev-list-options.txt`).
///
/// Depths count from a root tree: a commit's tree, or a tree the client asked for by id,
/// is at depth 0 and its entries at depth 1. Objects the client asked for by id are sent
/// whatever the filter says (that is how a lazy fetch gets the one blob it is missing);
/// the filter applies to what the walk reaches from them.
public indirect enum ObjectFilter: Sendable, Hashable, CustomStringConvertible {
    /// `blob:none`: no blobs.
    case blobNone
    /// `blob:limit=<n>`: blobs smaller than `n` bytes only.
    case blobLimit(Int)
    /// `tree:<n>`: trees and blobs at a depth below `n` only (`tree:0` sends commits and tags).
    case treeDepth(Int)
    /// `object:type=<type>`: objects of that type only.
    case objectType(ObjectType)
    /// `combine:<a>+<b>...`: objects that every filter keeps.
    case combine([ObjectFilter])

    /// A filter spec longer than this is refused (a combine of many filters is still short).
    public static let maxSpecLength = 4096

    /// Parses a filter spec as `git fetch --filter` sends it on a `filter` line.
    public init(parsing spec: some StringProtocol) throws {
        let spec = String(spec)
        guard spec.utf8.count <= Self.maxSpecLength else { throw ObjectFilterError.invalid(spec, "longer than \(Self.maxSpecLength) bytes") }
        if spec == "blob:none" {
            self = .blobNone
        } else if let limit = spec.dropPrefix("blob:limit=") {
            guard let bytes = Self.size(limit) else { throw ObjectFilterError.invalid(spec, "the limit must be a byte count, with k, m or g") }
            self = .blobLimit(bytes)
        } else if let depth = spec.dropPrefix("tree:") {
            guard let value = Int(depth), value >= 0, depth.allSatisfy(\.isASCIIDigit) else {
                throw ObjectFilterError.invalid(spec, "the depth must be a number")
            }
            self = .treeDepth(value)
        } else if let name = spec.dropPrefix("object:type=") {
            guard let type = ObjectType(name: name) else { throw ObjectFilterError.invalid(spec, "unknown object type") }
            self = .objectType(type)
        } else if let list = spec.dropPrefix("combine:") {
            let parts = list.split(separator: "+", omittingEmptySubsequences: false)
            guard parts.count >= 2 else { throw ObjectFilterError.invalid(spec, "combine needs at least two filters") }
            self = .combine(try parts.map { part in
                guard let decoded = Self.percentDecoded(part) else { throw ObjectFilterError.invalid(spec, "bad %-escape") }
                return try ObjectFilter(parsing: decoded)
            })
        } else if spec.hasPrefix("sparse:") {
            throw ObjectFilterError.unsupported(spec)
        } else {
            throw ObjectFilterError.invalid(spec, "unknown filter")
        }
    }

    /// The spec in git's spelling (combine's parts %-escaped as git escapes them).
    public var description: String {
        switch self {
        case .blobNone: "blob:none"
        case .blobLimit(let bytes): "blob:limit=\(bytes)"
        case .treeDepth(let depth): "tree:\(depth)"
        case .objectType(let type): "object:type=\(type.name)"
        case .combine(let filters): "combine:" + filters.map { Self.percentEncoded($0.description) }.joined(separator: "+")
        }
    }

    /// Whether an object the walk reached (not one asked for by id) is sent. `size` is
    /// asked for only by a blob size limit.
    public func keeps(_ type: ObjectType, depth: Int, size: () throws -> Int) rethrows -> Bool {
        switch self {
        case .blobNone: type != .blob
        case .blobLimit(let limit): try type != .blob || size() < limit
        case .treeDepth(let limit): (type != .tree && type != .blob) || depth < limit
        case .objectType(let kept): type == kept
        case .combine(let filters): try filters.allSatisfy { try $0.keeps(type, depth: depth, size: size) }
        }
    }

    /// Whether anything under a tree at `depth` can be kept, so whether the walk reads it.
    public func descends(belowDepth depth: Int) -> Bool {
        switch self {
        case .blobNone, .blobLimit: true
        case .treeDepth(let limit): depth + 1 < limit
        case .objectType(let type): type == .tree || type == .blob
        case .combine(let filters): filters.allSatisfy { $0.descends(belowDepth: depth) }
        }
    }

    /// Whether an object reached at a smaller depth than before may now be kept (only a
    /// depth limit makes that so).
    public var dependsOnDepth: Bool {
        switch self {
        case .treeDepth: true
        case .combine(let filters): filters.contains { $0.dependsOnDepth }
        default: false
        }
    }

    /// `1024`, `1k`, `2m`, `1g` (git's unit suffixes, either case) as bytes.
    static func size(_ text: Substring) -> Int? {
        var digits = text
        var unit = 1
        switch text.last {
        case "k", "K": unit = 1 << 10
        case "m", "M": unit = 1 << 20
        case "g", "G": unit = 1 << 30
        default: break
        }
        if unit != 1 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits) else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }

    /// Characters git %-escapes in a combine part: its reserved set, `+` and `%`.
    private static let escaped = Set("~`!@#$^&*()[]{}\\;'\",<>?+%".utf8)

    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte <= 0x20 || byte >= 0x7f || escaped.contains(byte) {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    static func percentDecoded(_ text: Substring) -> String? {
        var bytes = [UInt8]()
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            // safe: UInt8(_:radix:) is failable; it returns nil rather than trapping.
            guard input.count >= 2, let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
            input = input.dropFirst(2)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// Why a filter spec was refused.
public enum ObjectFilterError: Error, Equatable, CustomStringConvertible {
    case invalid(String, String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalid(let spec, let reason): "invalid filter-spec '\(spec.prefix(100))': \(reason)"
        case .unsupported(let spec): "filter '\(spec.prefix(100))' is not supported by this server"
        }
    }
}

private extension String {
    func dropPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }

    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
