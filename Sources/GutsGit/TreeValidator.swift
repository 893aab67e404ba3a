/// Checks a tree the way `git fsck --strict` does before it is accepted from a push.
public enum TreeValidator {
    /// Why a tree was rejected.
    public struct Failure: Error, CustomStringConvertible, Sendable, Equatable {
        public var entryName: String
        public var reason: String

        public var description: String { "invalid tree entry '\(entryName)': \(reason)" }
    }

    /// Throws `Failure` for the first bad entry: unknown mode, empty name, a name with
    /// `/`, `.`, `..` or `.git` (any case), duplicate names, or entries out of git's order.
    public static func validate(_ tree: Tree) throws {
        var seen = Set<[UInt8]>()
        seen.reserveCapacity(tree.entries.count)
        var previous: Tree.Entry?
        for entry in tree.entries {
            func fail(_ reason: String) -> Failure { Failure(entryName: entry.nameString, reason: reason) }
            guard FileMode.canonical.contains(entry.mode) else { throw fail("bad mode \(entry.mode)") }
            try checkName(entry.name).map { throw fail($0) }
            guard seen.insert(entry.name).inserted else { throw fail("duplicate name") }
            if let previous, Tree.compareGitOrder(previous, entry) >= 0 {
                throw fail("not sorted after '\(previous.nameString)'")
            }
            previous = entry
        }
    }

    /// The reason `name` is not allowed in a tree, or nil.
    static func checkName(_ name: [UInt8]) -> String? {
        if name.isEmpty { return "empty name" }
        if name.contains(UInt8(ascii: "/")) { return "name contains '/'" }
        if name == [UInt8(ascii: ".")] { return "name is '.'" }
        if name == [UInt8(ascii: "."), UInt8(ascii: ".")] { return "name is '..'" }
        let lowered = name.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        if lowered == Array(".git".utf8) { return "name is '.git'" }
        return nil
    }
}
