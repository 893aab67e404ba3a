/// Checks a tree the way `git fsck` does before it is accepted from a push, by fsck's
/// message ids (`FsckMessage`): errors are always refused, warnings only when strict.
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
        var warnings = [Failure]()
        var seen = Set<[UInt8]>()
        seen.reserveCapacity(tree.entries.count)
        var previous: Tree.Entry?
        for entry in tree.entries {
            func report(_ message: FsckMessage, _ reason: String) throws {
                let failure = Failure(entryName: entry.nameString, reason: reason, message: message)
                if message.isError || strict { throw failure }
                warnings.append(failure)
            }
            if !FileMode.canonical.contains(entry.mode) { try report(.badFilemode, "bad mode \(entry.mode)") }
            if entry.zeroPaddedMode { try report(.zeroPaddedFilemode, "zero-padded mode") }
            if let (message, reason) = checkName(entry.name) { try report(message, reason) }
            if !seen.insert(entry.name).inserted { try report(.duplicateEntries, "duplicate name") }
            if let previous, Tree.compareGitOrder(previous, entry) >= 0 {
                try report(.treeNotSorted, "not sorted after '\(previous.nameString)'")
            }
            previous = entry
        }
        return warnings
    }

    /// What is wrong with `name` as a tree entry, or nil.
    static func checkName(_ name: [UInt8]) -> (FsckMessage, String)? {
        if name.isEmpty { return (.emptyName, "empty name") }
        if name.contains(UInt8(ascii: "/")) { return (.fullPathname, "name contains '/'") }
        if name == [UInt8(ascii: ".")] { return (.hasDot, "name is '.'") }
        if name == [UInt8(ascii: "."), UInt8(ascii: ".")] { return (.hasDotdot, "name is '..'") }
        let lowered = name.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        if lowered == Array(".git".utf8) { return (.hasDotgit, "name is '.git'") }
        return nil
    }
}
