import GutsStorage

/// The repositories a maintenance job names on its command line.
public enum RepositorySelection {
    /// The repositories named, in the order given, or all of them by name when `names` is
    /// empty; a name that does not exist is an error rather than a silent skip.
    public static func resolve(_ names: [String], in storage: Storage) throws -> [Repository] {
        guard !names.isEmpty else { return try storage.repositories.list(limit: Int.max).sorted { $0.fullName < $1.fullName } }
        return try names.map { name in
            guard let repository = try storage.repositories.get(name: name) else { throw AdminError.notFound("repository \(name)") }
            return repository
        }
    }
}
