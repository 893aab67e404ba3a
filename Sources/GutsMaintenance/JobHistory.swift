import Foundation

/// The last run of each maintenance job, kept as `<data-dir>/jobs/<job>.json` by whoever
/// ran it (the CLI offline, the node online), so the node's `/metrics` shows cron's
/// work however it ran.
public struct JobHistory: Sendable {
    /// One finished run.
    public struct Record: Sendable, Codable, Equatable {
        public var job: String
        /// Seconds since the epoch at the start.
        public var startedAt: Double
        public var seconds: Double
        /// `ok` or `failed`.
        public var result: String
        /// The run's outcome in one line (the error, for a failure).
        public var summary: String

        public var succeeded: Bool { result == "ok" }
    }

    /// The jobs the history records, in the order `/metrics` lists them.
    public static let jobs = ["fsck", "backup", "compact", "archive-warm", "archive-prune"]

    public let directory: String

    public init(dataDirectory: String) {
        directory = dataDirectory + "/jobs"
    }

    /// Runs `body` as `job` and records how it went; errors are recorded and rethrown. A
    /// result that is a `JobOutcome` says itself whether the run succeeded.
    public func run<T>(_ job: String, _ body: () async throws -> T) async throws -> T {
        let start = Date()
        do {
            let value = try await body()
            let outcome = value as? any JobOutcome
            record(Record(
                job: job, startedAt: start.timeIntervalSince1970, seconds: Date().timeIntervalSince(start),
                result: outcome?.jobSucceeded == false ? "failed" : "ok", summary: outcome?.jobSummary ?? "done"))
            return value
        } catch {
            record(Record(job: job, startedAt: start.timeIntervalSince1970, seconds: Date().timeIntervalSince(start), result: "failed", summary: "\(error)"))
            throw error
        }
    }

    /// Writes `record` (best effort: a full disk must not turn a good run into a failure).
    public func record(_ record: Record) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard let data = try? JSONEncoder().encode(record) else { return }
        let path = "\(directory)/\(record.job).json"
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        _ = rename(temporary, path)
    }

    /// Where a job that stopped early (`--max-duration`) resumes, or nil.
    public func cursor(_ job: String) -> String? {
        (try? String(contentsOfFile: "\(directory)/\(job).cursor", encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Records (or, with nil, clears) where `job` resumes next time.
    public func setCursor(_ job: String, _ value: String?) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(job).cursor"
        if let value { _ = FileManager.default.createFile(atPath: path, contents: Data(value.utf8)) } else { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The recorded runs, by job.
    public func records() -> [Record] {
        Self.jobs.compactMap { job in
            FileManager.default.contents(atPath: "\(directory)/\(job).json").flatMap { try? JSONDecoder().decode(Record.self, from: $0) }
        }
    }
}

/// A job result that can fail without an error (an fsck that found problems).
public protocol JobOutcome {
    var jobSucceeded: Bool { get }
    var jobSummary: String { get }
}
