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
        // Non-directories whose names are prefixes of the current entry's name, longest last.
        // A directory can share a file's name without the two being adjacent ("x", "x.c",
        // "x/"), but everything sorted between them starts with that name, so the file is
        // still here, on top, when the directory comes.
        var files: [Int] = []
        for (index, entry) in tree.entries.enumerated() {
            func report(_ message: FsckMessage, _ reason: String) throws {
                let failure = Failure(entryName: entry.nameString, reason: reason, message: message)
                if message.isError || strict { throw failure }
                warnings.append(failure)
            }
            if !FileMode.canonical.contains(entry.mode) { try report(.badFilemode, "bad mode \(entry.mode)") }
            if entry.zeroPaddedMode { try report(.zeroPaddedFilemode, "zero-padded mode") }
            if let (message, reason) = checkName(entry.name) { try report(message, reason) }
            while let top = files.last, !entry.name.starts(with: tree.entries[top].name) { files.removeLast() }
            if index > 0, tree.entries[index - 1].name == entry.name {
                try report(.duplicateEntries, "duplicate name")
            } else if entry.mode.isDirectory, let top = files.last, tree.entries[top].name == entry.name {
                try report(.duplicateEntries, "duplicate name")
            } else if index > 0, Tree.compareGitOrder(tree.entries[index - 1], entry) >= 0 {
                try report(.treeNotSorted, "not sorted after '\(tree.entries[index - 1].nameString)'")
            }
            if !entry.mode.isDirectory { files.append(index) }
        }
        return warnings
    }

    /// What is wrong with `name` as a tree entry, or nil.
    static func checkName(_ name: [UInt8]) -> (FsckMessage, String)? {
        if name.isEmpty { return (.emptyName, "empty name") }
        if name.contains(UInt8(ascii: "/")) { return (.fullPathname, "name contains '/'") }
        if name == [UInt8(ascii: ".")] { return (.hasDot, "name is '.'") }
        if name == [UInt8(ascii: "."), UInt8(ascii: ".")] { return (.hasDotdot, "name is '..'") }
        if name.count == 4, name[0] == UInt8(ascii: "."),
           zip(name.dropFirst(), "git".utf8).allSatisfy({ $0 | 0x20 == $1 }) {
            return (.hasDotgit, "name is '.git'")
        }
        return nil
    }
}
