import GutsGit
import GutsStorage

/// A pack to send, described by what determines its bytes, so that identical
/// concurrent requests can share one generation.
struct PackJob: Sendable {
    /// Repository, wants, common haves, shallow state and the capabilities that shape the
    /// pack: equal keys give equal packs.
    struct Key: Hashable, Sendable {
        var repositoryID: UInt64
        var wants: [ObjectID]
        var common: [ObjectID]
        var depth: Int?
        var deepenRelative: Bool
        var clientShallows: [ObjectID]
        var includeTag: Bool
        var filter: ObjectFilter?
        var thinPack: Bool
        var offsetDeltas: Bool

        init(repositoryID: UInt64, request: FetchRequest, common: [ObjectID]) {
            self.repositoryID = repositoryID
            wants = Set(request.wants).sorted()
            self.common = Set(common).sorted()
            depth = request.depth
            deepenRelative = request.deepenRelative
            clientShallows = Set(request.clientShallows).sorted()
            includeTag = request.includeTag
            filter = request.filter
            thinPack = request.thinPack
            offsetDeltas = request.offsetDeltas
        }
    }

    let key: Key
    /// Plans the pack and returns its producer; runs on the blocking pool, once per generation.
    let makeProducer: @Sendable () throws -> PackProducer
}
