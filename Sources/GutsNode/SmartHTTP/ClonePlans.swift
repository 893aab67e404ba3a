import GutsGit
import Synchronization

/// The objects of the last full clone of each repository, so that the next full clone
/// after a push walks only what the push added instead of the whole history (the idea of
/// a reachability bitmap, kept as an object list in memory).
///
/// A plan for wants `W` is reused for later wants `W′` only when every old want is still
/// reached: it is one of `W′`, or a commit that is an ancestor of one of the new wants (a
/// fast-forward). A deleted branch or a forced push therefore never lets objects that no
/// ref reaches any more into a clone: such a clone walks everything, as before.
final class ClonePlans: Sendable {
    struct Plan: Sendable {
        /// Sorted and unique.
        var wants: [ObjectID]
        var objects: [ObjectID]
    }

    private struct Entry {
        var plan: Plan
        var lastUse: UInt64
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var totalIDs = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Object ids kept across all plans (20 bytes each).
    let capacityIDs: Int

    init(capacityIDs: Int = 2_000_000) {
        self.capacityIDs = capacityIDs
    }

    func plan(for repositoryID: UInt64) -> Plan? {
        state.withLock { state in
            state.clock += 1
            state.entries[repositoryID]?.lastUse = state.clock
            return state.entries[repositoryID]?.plan
        }
    }

    /// Keeps `plan` as the repository's, evicting the least recently used plans to fit.
    func store(_ plan: Plan, for repositoryID: UInt64) {
        guard plan.objects.count <= capacityIDs else { return }
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: repositoryID) { state.totalIDs -= old.plan.objects.count }
            while state.totalIDs + plan.objects.count > capacityIDs,
                  let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries[oldest.key] = nil
                state.totalIDs -= oldest.value.plan.objects.count
            }
            state.clock += 1
            state.entries[repositoryID] = Entry(plan: plan, lastUse: state.clock)
            state.totalIDs += plan.objects.count
        }
    }

    /// Whether a clone of `wants` may start from `previous`: each old want is one of
    /// `wants` or an ancestor of one that is new. At most `maxChecks` ancestry walks are
    /// tried; past that the answer is no.
    static func canReuse(_ previous: Plan, for wants: [ObjectID], isAncestor: (ObjectID, ObjectID) throws -> Bool,
                         maxChecks: Int = 256) throws -> Bool {
        let current = Set(wants)
        let previousWants = Set(previous.wants)
        let added = wants.filter { !previousWants.contains($0) }
        var checks = 0
        for old in previous.wants where !current.contains(old) {
            var reached = false
            for new in added {
                checks += 1
                guard checks <= maxChecks else { return false }
                if try isAncestor(old, new) {
                    reached = true
                    break
                }
            }
            guard reached else { return false }
        }
        return true
    }
}
