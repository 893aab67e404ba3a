import Synchronization

/// The job locks one backend holds: each taken on the first operation of its job and
/// kept until `releaseAll()`, so a command that repeats an operation (`cache-stats
/// --interval`) excludes other runs for its whole life, not only while each call runs.
final class JobLocks: Sendable {
    let directory: String
    private let held = Mutex<[String: JobLock]>([:])

    init(directory: String) {
        self.directory = directory
    }

    func acquire(_ job: String) throws {
        try held.withLock { held in
            if held[job] == nil { held[job] = try JobLock(job: job, directory: directory) }
        }
    }

    func releaseAll() {
        held.withLock { $0.removeAll() }
    }
}
