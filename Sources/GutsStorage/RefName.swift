/// Ref name rules: every rule of `git check-ref-format` for names under `refs/` (which
/// rules out a lone `@`), plus a length cap so a name always fits in one pkt-line of any
/// advertisement.
public enum RefName {
    /// The longest ref name accepted, in bytes.
    public static let maxLength = 1024

    /// Throws `StorageError.invalidRefName` naming the first broken rule.
    public static func validate(_ name: String) throws {
        if let reason = violation(Array(name.utf8)) { throw StorageError.invalidRefName(name, reason: reason) }
    }

    /// Whether `name` is a valid ref name.
    public static func isValid(_ name: String) -> Bool {
        violation(Array(name.utf8)) == nil
    }

    /// Whether `name` (raw bytes, as a client sent them) is a valid ref name.
    public static func isValid<Bytes: Collection>(_ name: Bytes) -> Bool where Bytes.Element == UInt8 {
        violation(Array(name)) == nil
    }

    /// The first rule `name` breaks, or nil when it is valid.
    static func violation(_ name: [UInt8]) -> String? {
        guard name.count <= maxLength else { return "longer than \(maxLength) bytes" }
        guard name.starts(with: Array("refs/".utf8)) else { return "must start with 'refs/'" }
        guard name.last != UInt8(ascii: "/") else { return "must not end with '/'" }
        guard name.last != UInt8(ascii: ".") else { return "must not end with '.'" }
        guard String(validating: name, as: UTF8.self) != nil else { return "must be valid UTF-8" }
        var previous: UInt8 = 0
        for byte in name {
            switch byte {
            case 0..<0x20, 0x7F: return "must not contain control characters"
            case UInt8(ascii: " "), UInt8(ascii: "~"), UInt8(ascii: "^"), UInt8(ascii: ":"), UInt8(ascii: "?"),
                 UInt8(ascii: "*"), UInt8(ascii: "["), UInt8(ascii: "\\"):
                return "must not contain '\(Character(Unicode.Scalar(byte)))'"
            case UInt8(ascii: ".") where previous == UInt8(ascii: "."): return "must not contain '..'"
            case UInt8(ascii: "/") where previous == UInt8(ascii: "/"): return "must not contain '//'"
            case UInt8(ascii: "{") where previous == UInt8(ascii: "@"): return "must not contain '@{'"
            default: break
            }
            previous = byte
        }
        for component in name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if component.first == UInt8(ascii: ".") { return "a component must not start with '.'" }
            if component.count >= 5, component.suffix(5).elementsEqual(".lock".utf8) { return "a component must not end with '.lock'" }
        }
        return nil
    }
}
