import GutsGit

/// A pack to send, described by what determines its bytes, so that identical
/// concurrent requests can share one generation.
struct PackJob: Sendable {
    /// Repository, wants, common haves, depth and include-tag: equal keys give equal packs.
    struct Key: Hashable, Sendable {
        var repositoryID: UInt64
        var wants: [ObjectID]
        var common: [ObjectID]
        var depth: Int?
        var includeTag: Bool

        init(repositoryID: UInt64, request: FetchRequest, common: [ObjectID]) {
            self.repositoryID = repositoryID
            wants = Set(request.wants).sorted()
            self.common = Set(common).sorted()
            depth = request.depth
            includeTag = request.includeTag
        }
    }

    let key: Key
    /// Plans the pack and returns its producer; runs on the blocking pool, once per generation.
    let makeProducer: @Sendable () throws -> PackProducer
}
