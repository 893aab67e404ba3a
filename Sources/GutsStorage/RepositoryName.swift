/// Rules for repository names `owner/name`.
public enum RepositoryName {
    public static let maxPartLength = 100
    /// Owners that would shadow the node's own URL space.
    public static let reservedOwners: Set<String> = [
        "api", "git", "health", "metrics", "version", "admin", "raw", "static", "assets",
    ]

    /// Checks `fullName` and returns its two parts; each broken rule has its own reason.
    @discardableResult
    public static func validate(_ fullName: String) throws -> (owner: String, name: String) {
        func fail(_ reason: String) -> StorageError { .invalidRepositoryName(fullName, reason: reason) }
        let parts = fullName.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw fail("must be owner/name with exactly one '/'") }
        for (label, part) in zip(["owner", "name"], parts) {
            guard !part.isEmpty else { throw fail("\(label) is empty") }
            guard part.utf8.count <= maxPartLength else { throw fail("\(label) is longer than \(maxPartLength) characters") }
            guard part.unicodeScalars.allSatisfy(isAllowed) else {
                throw fail("\(label) may contain only ASCII letters, digits, '-', '_' and '.'")
            }
            guard !part.hasPrefix(".") else { throw fail("\(label) must not start with '.'") }
            guard !part.contains("..") else { throw fail("\(label) must not contain '..'") }
        }
        guard !parts[1].lowercased().hasSuffix(".git") else { throw fail("name must not end with '.git'") }
        guard !reservedOwners.contains(parts[0].lowercased()) else { throw fail("owner '\(parts[0])' is reserved") }
        return (parts[0], parts[1])
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": true
        default: false
        }
    }
}
