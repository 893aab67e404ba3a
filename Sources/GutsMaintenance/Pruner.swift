import Foundation
import GutsGit
import GutsStorage

/// Deletes objects no ref reaches once they have been unreachable for a grace period,
/// never an object anything kept relies on.
///
/// As `git gc --prune=<date>` does, objects that recent unreachable objects reach are
/// kept with them (a recent object must stay complete), and so is every delta base of a
/// kept object. An object's age counts from the first prune run that found it
/// unreachable (`PruneMarks`): the store keeps no write time per object.
///
/// Against concurrent pushes: the reachability walk runs without locks; then, with ref
/// transactions held off (`Storage.deletingObjects`), refs that moved meanwhile are
/// walked too and the deletion is written. A push that began before relied on objects
/// it found then and is refused at its ref update (`StorageError.objectsPruned`); git
/// then says to retry. Objects a push holds in its quarantine are never seen here.
public struct Pruner: Sendable {
    public struct Report: Sendable, Codable, Equatable {
        public var repositories = 0
        public var objectsBefore = 0
        public var bytesBefore = 0
        /// Objects no ref reaches.
        public var unreachable = 0
        /// Unreachable objects kept: younger than the grace period, or needed by those.
        public var keptUnreachable = 0
        public var removed = 0
        public var removedBytes = 0
        public var seconds = 0.0

        public init() {}

        public func render() -> String {
            "pruned \(removed) of \(unreachable) unreachable objects (\(removedBytes) bytes of \(bytesBefore)) in \(repositories) repositories; "
                + "\(keptUnreachable) kept within the grace period, in \(String(format: "%.1f", seconds))s"
        }
    }

    public let storage: Storage
    /// Seconds an object must have been unreachable before it goes.
    public var grace: TimeInterval
    public var repositories: [String] = []
    public var bytesPerSecond: Double?
    public var now: @Sendable () -> Date = { Date() }
    public var progress: @Sendable (String) -> Void = { _ in }

    public init(storage: Storage, grace: TimeInterval) {
        self.storage = storage
        self.grace = grace
    }

    public func run() throws -> Report {
        try RepositorySelection.run(repositories, in: storage, bytesPerSecond: bytesPerSecond, verb: "pruning", progress: progress, prune)
    }

    func prune(_ repository: Repository, into report: inout Report, throttle: inout Throttle) throws {
        let objects = storage.objects(repository)
        let refs = storage.refs(repository)
        let marks = storage.pruneMarks(repository)
        let graph = try ObjectGraph(objects: objects, throttle: &throttle)
        report.objectsBefore += graph.nodes.count
        report.bytesBefore += graph.bytes
        let tips = try ObjectGraph.tips(refs)
        let reachable = try graph.reach(from: tips.values)
        let seen = try marks.all()
        let time = Int64(now().timeIntervalSince1970)
        let unreachable = graph.nodes.keys.filter { !reachable.contains($0) }
        let young = unreachable.filter { Double(time - (seen[$0] ?? time)) < grace }
        var keep = reachable.union(try graph.reach(from: young, known: reachable))
        let removed: [ObjectID] = try storage.deletingObjects {
            // Refs that moved since the walk: what they reach stays too.
            let moved = try ObjectGraph.tips(refs).filter { tips[$0.key] != $0.value }.map(\.value)
            keep.formUnion(try graph.reach(from: moved, known: keep))
            let doomed = graph.nodes.keys.filter { !keep.contains($0) }
            if !doomed.isEmpty { try objects.delete(doomed) }
            return (doomed, !doomed.isEmpty)
        }
        let removedSet = Set(removed)
        try storage.commitGraph(repository).remove(removed.filter { graph.nodes[$0]?.type == .commit })
        var newMarks: [ObjectID: Int64] = [:]
        for id in unreachable where seen[id] == nil && !removedSet.contains(id) { newMarks[id] = time }
        try marks.update(set: newMarks, clear: seen.keys.filter { removedSet.contains($0) || reachable.contains($0) })
        report.unreachable += unreachable.count
        report.keptUnreachable += unreachable.count - removed.count
        report.removed += removed.count
        report.removedBytes += removed.reduce(0) { $0 + (graph.nodes[$1]?.bytes ?? 0) }
    }
}

extension Pruner.Report: RepositoryJobReport {}
