import Foundation
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

    /// Runs `work` on each repository `names` selects, in turn, under one throttle of
    /// `bytesPerSecond`, counting them and timing the whole into the report.
    static func run<Report: RepositoryJobReport>(
        _ names: [String], in storage: Storage, bytesPerSecond: Double?, verb: String, progress: (String) -> Void,
        _ work: (Repository, inout Report, inout Throttle) throws -> Void
    ) throws -> Report {
        let start = Date()
        var report = Report()
        var throttle = Throttle(bytesPerSecond: bytesPerSecond)
        for repository in try resolve(names, in: storage) {
            progress("\(verb) \(repository.fullName)")
            try work(repository, &report, &throttle)
            report.repositories += 1
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }
}

/// The report of a job that walks repositories one by one (`Pruner`, `Repacker`).
protocol RepositoryJobReport {
    init()
    var repositories: Int { get set }
    var seconds: Double { get set }
}
