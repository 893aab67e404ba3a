#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a tree the way `git fsck` does before it is accepted from a push, by fsck's
/// message ids (`FsckMessage`): errors are always refused, warnings only when strict.
///
/// It reads the tree's bytes in place, without copying a name out, because a push of a
/// long history hands it every tree version there is (git/git's are 2.5 GB).
public enum TreeValidator {
    /// Why a tree was rejected.
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        public var entryName: String
        public var reason: String
        public var message: FsckMessage

        public var description: String { "invalid tree entry '\(entryName)': \(reason) (\(message.rawValue))" }
    }

    /// Throws `Failure` for the first problem that is an error, or, when `strict`, a
    /// warning; returns the warnings it let through.
    @discardableResult
    public static func validate(_ tree: Tree, strict: Bool = false) throws -> [Failure] {
        try validate(body: tree.serialized(), strict: strict) { _, _ in }
    }

    /// Checks a tree's body, handing each entry's mode and id to `entry` in order; throws
    /// `GitObjectError` for bytes that are not a tree at all, and `Failure` as `validate(_:strict:)`.
    @discardableResult
    public static func validate(body: [UInt8], strict: Bool = false, entry visit: (FileMode, ObjectID) throws -> Void) throws -> [Failure] {
        try body.withUnsafeBytes { bytes in
            var warnings = [Failure]()
            var previous: Range<Int>?
            var previousIsDirectory = false
            // Non-directories whose names are prefixes of the current entry's name, longest last.
            // A directory can share a file's name without the two being adjacent ("x", "x.c",
            // "x/"), but everything sorted between them starts with that name, so the file is
            // still here, on top, when the directory comes.
            var files: [Range<Int>] = []
            try Tree.scan(bytes) { scanned in
                let (fileMode, name, id) = (scanned.mode, scanned.name, scanned.id)
                let isDirectory = fileMode.isDirectory

                func report(_ message: FsckMessage, _ reason: String) throws {
                    let failure = Failure(entryName: String(decoding: bytes[name], as: UTF8.self), reason: reason, message: message)
                    if message.isError || strict { throw failure }
                    warnings.append(failure)
                }
                if !fileMode.isCanonical { try report(.badFilemode, "bad mode \(fileMode)") }
                if scanned.modeLeadingZeros > 0 { try report(.zeroPaddedFilemode, "zero-padded mode") }
                if let (message, reason) = checkName(UnsafeRawBufferPointer(rebasing: bytes[name])) { try report(message, reason) }
                while let top = files.last, !hasPrefix(bytes, name, top) { files.removeLast() }
                if let previous {
                    if equal(bytes, previous, name) {
                        try report(.duplicateEntries, "duplicate name")
                    } else if isDirectory, let top = files.last, equal(bytes, top, name) {
                        try report(.duplicateEntries, "duplicate name")
                    } else if compareGitOrder(bytes[previous], isDirectory: previousIsDirectory, bytes[name], isDirectory: isDirectory) >= 0 {
                        try report(.treeNotSorted, "not sorted after '\(String(decoding: bytes[previous], as: UTF8.self))'")
                    }
                }
                if !isDirectory { files.append(name) }
                previous = name
                previousIsDirectory = isDirectory
                try visit(fileMode, id)
            }
            return warnings
        }
    }

    private static func equal(_ bytes: UnsafeRawBufferPointer, _ lhs: Range<Int>, _ rhs: Range<Int>) -> Bool {
        lhs.count == rhs.count && (lhs.isEmpty || memcmp(bytes.baseAddress! + lhs.lowerBound, bytes.baseAddress! + rhs.lowerBound, lhs.count) == 0)  // safe: non-empty ranges lie inside a non-empty buffer
    }

    /// Whether the name at `name` starts with the name at `prefix`.
    private static func hasPrefix(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>, _ prefix: Range<Int>) -> Bool {
        prefix.count <= name.count && (prefix.isEmpty || memcmp(bytes.baseAddress! + name.lowerBound, bytes.baseAddress! + prefix.lowerBound, prefix.count) == 0)  // safe: non-empty ranges lie inside a non-empty buffer
    }

    /// -1, 0 or 1 comparing two names in git's tree order, where a directory's name
    /// compares as if it ended in `/`.
    static func compareGitOrder(_ lhs: Slice<UnsafeRawBufferPointer>, isDirectory lhsIsDirectory: Bool,
                                _ rhs: Slice<UnsafeRawBufferPointer>, isDirectory rhsIsDirectory: Bool) -> Int {
        let common = min(lhs.count, rhs.count)
        var left = lhs.startIndex
        var right = rhs.startIndex
        for _ in 0..<common {
            if lhs[left] != rhs[right] { return lhs[left] < rhs[right] ? -1 : 1 }
            left += 1
            right += 1
        }
        let slash = UInt8(ascii: "/")
        let next: UInt8? = lhs.count > common ? lhs[left] : (lhsIsDirectory ? slash : nil)
        let other: UInt8? = rhs.count > common ? rhs[right] : (rhsIsDirectory ? slash : nil)
        switch (next, other) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (l?, r?): return l == r ? 0 : (l < r ? -1 : 1)
        }
    }

    /// What is wrong with `name` as a tree entry, or nil.
    static func checkName(_ name: UnsafeRawBufferPointer) -> (FsckMessage, String)? {
        if name.isEmpty { return (.emptyName, "empty name") }
        if name.contains(UInt8(ascii: "/")) { return (.fullPathname, "name contains '/'") }
        if name.count == 1, name[0] == UInt8(ascii: ".") { return (.hasDot, "name is '.'") }
        if name.count == 2, name[0] == UInt8(ascii: "."), name[1] == UInt8(ascii: ".") { return (.hasDotdot, "name is '..'") }
        if name.count == 4, name[0] == UInt8(ascii: "."),
           zip(name.dropFirst(), "git".utf8).allSatisfy({ $0 | 0x20 == $1 }) {
            return (.hasDotgit, "name is '.git'")
        }
        return nil
    }
}
