import Foundation

/// What `guts fsck` found: one `Problem` per thing wrong, naming repository and object.
public struct FsckReport: Sendable, Codable, Equatable {
    /// One thing wrong (or, for a warning, odd but accepted by git).
    public struct Problem: Sendable, Codable, Equatable, CustomStringConvertible {
        /// `owner/name`, or `rocksdb` for a storage-level problem.
        public var repository: String
        /// The object id, ref name or column family concerned.
        public var object: String
        /// A short kind: `hash-mismatch`, `missing-object`, `bad-tree`, a git fsck message id...
        public var kind: String
        public var message: String

        public init(repository: String, object: String, kind: String, message: String) {
            self.repository = repository
            self.object = object
            self.kind = kind
            self.message = message
        }

        public var description: String { "\(repository) \(object): \(kind): \(message)" }
    }

    public var repositories = 0
    public var objects = 0
    /// Stored bytes read.
    public var bytes = 0
    public var refs = 0
    /// Keys read by the RocksDB block checksum pass.
    public var checksummedKeys = 0
    public var problems: [Problem] = []
    /// What git's fsck warns about without failing (legacy modes, odd identities).
    public var warnings: [Problem] = []
    /// Repositories left for a later run because `--max-duration` ran out.
    public var skippedRepositories: [String] = []
    /// The repository checked last.
    public var lastChecked: String?
    public var seconds = 0.0

    public init() {}

    public var clean: Bool { problems.isEmpty }
    public var completed: Bool { skippedRepositories.isEmpty }

    /// Problems one per line, then a summary line.
    public func render() -> String {
        var lines = problems.map(\.description) + warnings.map { "warning: \($0)" }
        lines.append(
            "checked \(objects) objects (\(bytes) bytes) and \(refs) refs in \(repositories) repositories, \(checksummedKeys) keys checksummed, "
                + "in \(String(format: "%.1f", seconds))s: \(problems.count) problems, \(warnings.count) warnings"
                + (completed ? "" : "; \(skippedRepositories.count) repositories left for the next run"))
        return lines.joined(separator: "\n")
    }
}

extension FsckReport: JobOutcome {
    public var jobSucceeded: Bool { clean }
    public var jobSummary: String { "\(problems.count) problems in \(repositories) repositories" }
}
