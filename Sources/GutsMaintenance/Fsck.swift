import Foundation
import GutsGit
import GutsStorage

/// Re-verifies stored data, which loads trust (ids are checked once, on the way in):
///
/// - every stored object inflates (or its delta applies) to its recorded size and hashes
///   to its id;
/// - commits, trees and tags parse, and pass git fsck's checks (`TreeValidator`, identity
///   lines): errors are problems, what git's fsck only warns about is a warning;
/// - every ref (and HEAD) reaches a complete history: each object it reaches is present,
///   of the type that references it;
/// - commit-graph entries agree with their commits (tree, parents, time, generation);
/// - RocksDB's block checksums hold (object values are read through checksummed reads;
///   `refs` and `metadata` are scanned whole).
public struct Fsck: Sendable {
    public let storage: Storage
    /// Repositories to check (`owner/name`); all when empty.
    public var repositories: [String] = []
    /// Stop before the next repository once this many seconds have passed.
    public var maxDuration: TimeInterval?
    /// Bytes per second of stored data read (online runs); nil: as fast as possible.
    public var bytesPerSecond: Double?
    /// Start after this repository (a previous run's `skippedRepositories` picks up there).
    public var resumeAfter: String?
    public var progress: @Sendable (String) -> Void = { _ in }

    /// The rate an online fsck reads at unless told otherwise, meant to keep the node's
    /// API p99 within 2x of idle (`scripts/fsck-latency.sh`; docs/OPERATIONS.md has what
    /// was measured and how far it can be trusted).
    public static let onlineBytesPerSecond = Double(4 << 20)

    public init(storage: Storage) {
        self.storage = storage
    }

    /// Runs under `history`: resumes where an earlier run that ran out of time stopped,
    /// and records where this one stops.
    public func run(history: JobHistory) throws -> FsckReport {
        var fsck = self
        if repositories.isEmpty { fsck.resumeAfter = history.cursor("fsck") }
        let report = try fsck.run()
        if repositories.isEmpty {
            history.setCursor("fsck", report.completed ? nil : report.lastChecked)
        }
        return report
    }

    public func run() throws -> FsckReport {
        let start = Date()
        var report = FsckReport()
        var throttle = Throttle(bytesPerSecond: bytesPerSecond)
        var targets: [Repository] = []
        if repositories.isEmpty {
            targets = try storage.repositories.list(limit: Int.max).sorted { $0.fullName < $1.fullName }
            if let resumeAfter, let index = targets.firstIndex(where: { $0.fullName > resumeAfter }) {
                targets = Array(targets[index...] + targets[..<index])
            }
        } else {
            for name in repositories {
                guard let repository = try storage.repositories.get(name: name) else { throw AdminError.notFound("repository \(name)") }
                targets.append(repository)
            }
        }
        for (index, repository) in targets.enumerated() {
            if let maxDuration, index > 0, Date().timeIntervalSince(start) >= maxDuration {
                report.skippedRepositories = targets[index...].map(\.fullName)
                break
            }
            progress("checking \(repository.fullName)")
            try check(repository, into: &report, throttle: &throttle)
            report.repositories += 1
            report.lastChecked = repository.fullName
        }
        if repositories.isEmpty, report.completed, let rocksDB = storage.rocksDB {
            for family in [ColumnFamily.refs, .metadata] {
                do {
                    report.checksummedKeys += try rocksDB.verifyChecksums(family) { _ in throttle.account(64 << 10) }.keys
                } catch {
                    report.problems.append(.init(repository: "rocksdb", object: family.rawValue, kind: "block-checksum", message: "\(error)"))
                }
            }
        }
        report.seconds = Date().timeIntervalSince(start)
        return report
    }

    /// Checks one repository's objects, commit graph and refs.
    func check(_ repository: Repository, into report: inout FsckReport, throttle: inout Throttle) throws {
        let name = repository.fullName
        let objects = storage.objects(repository)
        let graph = storage.commitGraph(repository)
        var types: [ObjectID: ObjectType] = [:]
        var damaged = Set<ObjectID>()
        func problem(_ object: String, _ kind: String, _ message: String) {
            report.problems.append(.init(repository: name, object: object, kind: kind, message: message))
            if let id = ObjectID(hex: object) { damaged.insert(id) }
        }
        do {
            try objects.forEachStoredValue { value in
                report.objects += 1
                report.bytes += value.bytes
                throttle.account(value.bytes)
                guard let stored = value.object else {
                    return problem(value.id.hex, "corrupt-value", value.problem ?? "cannot decode the stored value")
                }
                let body: [UInt8]
                do {
                    body = try Self.body(of: stored, objects: objects)
                } catch {
                    return problem(value.id.hex, "corrupt-object", "\(error)")
                }
                let actual = SHA1.objectID(type: stored.type, body: body)
                guard actual == value.id else {
                    return problem(value.id.hex, "hash-mismatch", "content hashes to \(actual.hex)")
                }
                types[value.id] = stored.type
                for finding in Self.syntax(stored.type, body: body) {
                    let entry = FsckReport.Problem(repository: name, object: value.id.hex, kind: finding.kind, message: finding.message)
                    if finding.isError { report.problems.append(entry) } else { report.warnings.append(entry) }
                }
                if stored.type == .commit, let commit = try? Commit(parsing: body) {
                    for message in try Self.graphDisagreements(value.id, commit: commit, graph: graph) {
                        problem(value.id.hex, "commit-graph", message)
                    }
                }
            }
        } catch {
            problem("objects", "unreadable", "\(error)")
            return
        }
        var tips: [(String, ObjectID)] = []
        do {
            tips = try storage.refs(repository).list().map { ($0.name, $0.id) }
            if let head = try storage.refs(repository).head(), let id = try storage.refs(repository).get(head),
               !tips.contains(where: { $0.0 == head }) {
                tips.append(("HEAD", id))
            }
        } catch {
            problem("refs", "unreadable", "\(error)")
        }
        report.refs += tips.count
        var visited = Set<ObjectID>()
        for (ref, tip) in tips {
            for message in try walk(from: tip, expected: nil, types: types, damaged: damaged, objects: objects, visited: &visited) {
                problem(ref, "incomplete-history", message)
            }
        }
    }

    /// The object's body, rebuilt from the value itself (and, for a delta, its base, read
    /// past the caches so that a run does not push the node's working set out of them).
    static func body(of stored: StoredObject, objects: ObjectStore) throws -> [UInt8] {
        guard let delta = stored.delta else { return try stored.inflate() }
        guard let base = try objects.loadBypassingCache(delta.base) else { throw AdminError.failed("delta base \(delta.base.hex) is missing") }
        let body = try Delta.apply(base: base.body, delta: try stored.inflate())
        guard body.count == stored.size else { throw AdminError.failed("delta yields \(body.count) bytes, \(stored.size) recorded") }
        return body
    }

    /// What git's fsck says about an object's syntax.
    static func syntax(_ type: ObjectType, body: [UInt8]) -> [(kind: String, message: String, isError: Bool)] {
        var findings: [(kind: String, message: String, isError: Bool)] = []
        do {
            switch type {
            case .commit:
                let commit = try Commit(parsing: body)
                if !commit.author.isWellFormed || !commit.committer.isWellFormed {
                    findings.append((FsckMessage.badIdentity.rawValue, "unreadable author or committer line", false))
                }
            case .tree:
                for warning in try TreeValidator.validate(try Tree(parsing: body), strict: false) {
                    findings.append((warning.message.rawValue, warning.description, false))
                }
            case .tag:
                if try Tag(parsing: body).tagger?.isWellFormed == false {
                    findings.append((FsckMessage.badIdentity.rawValue, "unreadable tagger line", false))
                }
            case .blob:
                break
            }
        } catch let failure as TreeValidator.Failure {
            findings.append((failure.message.rawValue, failure.description, true))
        } catch {
            findings.append(("bad-\(type.name)", "\(error)", true))
        }
        return findings
    }

    /// How the commit's graph entry (if any) disagrees with the commit.
    static func graphDisagreements(_ id: ObjectID, commit: Commit, graph: CommitGraph) throws -> [String] {
        guard let node = try graph.get(id) else { return [] }
        var messages: [String] = []
        if node.tree != commit.tree { messages.append("graph says tree \(node.tree.hex), commit has \(commit.tree.hex)") }
        if node.parents != commit.parents { messages.append("graph parents differ from the commit's") }
        if node.time != commit.committer.time { messages.append("graph time \(node.time), commit time \(commit.committer.time)") }
        if node.generation > 0 {
            var expected = 1
            for parent in commit.parents {
                let generation = try graph.get(parent)?.generation ?? 0
                if generation == 0 { expected = 0; break }
                expected = max(expected, generation + 1)
            }
            if expected != 0 && expected != node.generation { messages.append("generation \(node.generation), parents give \(expected)") }
            if expected == 0 { messages.append("generation \(node.generation) above a parent of unknown generation") }
        }
        return messages
    }

    /// Walks everything `tip` reaches, returning a line for each object missing or of
    /// the wrong type; `visited` is shared between tips.
    func walk(
        from tip: ObjectID, expected: ObjectType?, types: [ObjectID: ObjectType], damaged: Set<ObjectID>, objects: ObjectStore,
        visited: inout Set<ObjectID>
    ) throws -> [String] {
        var missing: [String] = []
        var pending: [(id: ObjectID, expected: ObjectType?, from: ObjectID?)] = [(tip, expected, nil)]
        while let (id, expected, from) = pending.popLast() {
            guard visited.insert(id).inserted else { continue }
            guard let type = types[id] else {
                let state = damaged.contains(id) ? "is damaged" : "is missing"
                missing.append("\(id.hex) \(state)" + (from.map { " (referenced by \($0.hex))" } ?? " (the ref's target)"))
                continue
            }
            if let expected, expected != type {
                missing.append("\(id.hex) is a \(type.name), \(from?.hex ?? "the ref") wants a \(expected.name)")
                continue
            }
            guard type != .blob, let object = try? objects.loadBypassingCache(id) else { continue }
            switch type {
            case .commit:
                guard let commit = try? Commit(parsing: object.body) else { continue }
                pending.append((commit.tree, .tree, id))
                for parent in commit.parents { pending.append((parent, .commit, id)) }
            case .tree:
                guard let tree = try? Tree(parsing: object.body) else { continue }
                for entry in tree.entries where entry.mode != .gitlink {
                    pending.append((entry.id, entry.mode == .directory ? .tree : .blob, id))
                }
            case .tag:
                guard let tag = try? Tag(parsing: object.body) else { continue }
                pending.append((tag.object, tag.objectType, id))
            case .blob:
                break
            }
        }
        return missing
    }
}
