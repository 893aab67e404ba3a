import GutsStorage
import Synchronization

/// Encoded pages of `GET /api/repos`, kept until the registry changes: a listing is
/// the same bytes for every caller of one access level until a repository is created,
/// changed or deleted, so most requests skip encoding.
final class RepositoryPages: Sendable {
    struct Key: Hashable, Sendable {
        var cursor: String?
        var limit: Int
        var canSeePrivate: Bool
    }

    private struct State {
        var generation: UInt64 = .max
        var pages: [Key: [UInt8]] = [:]
    }

    private let state = Mutex(State())
    /// Distinct pages kept for one generation (cursors are caller-chosen).
    static let maxPages = 256

    /// The page for `key` as of registry `generation`, if encoded before.
    func get(_ key: Key, generation: UInt64) -> [UInt8]? {
        state.withLock { $0.generation == generation ? $0.pages[key] : nil }
    }

    func store(_ page: [UInt8], for key: Key, generation: UInt64) {
        state.withLock { state in
            if state.generation != generation {
                state.generation = generation
                state.pages.removeAll(keepingCapacity: true)
            }
            if state.pages.count < Self.maxPages { state.pages[key] = page }
        }
    }
}
