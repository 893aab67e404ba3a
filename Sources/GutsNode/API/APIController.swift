import Foundation
import GutsGit
import GutsStorage
import HTTPTypes
import Hummingbird

/// The JSON API under `/api`.
struct APIController: Sendable {
    let node: GutsNode

    /// A repository as the API shows it; fields GitHub also has carry GitHub's names.
    struct RepositoryView: Encodable, Sendable {
        var id: UInt64
        var fullName: String
        var owner: String
        var name: String
        var `private`: Bool
        var description: String
        var defaultBranch: String
        var allowForcePush: Bool
        var cloneUrl: String
        var htmlUrl: String
        var url: String

        init(_ repository: Repository, base: String) {
            id = repository.id
            fullName = repository.fullName
            owner = repository.owner
            name = repository.name
            `private` = repository.isPrivate
            description = repository.description
            defaultBranch = repository.defaultBranch
            allowForcePush = repository.allowForcePush
            let links = RepositoryLinks(base: base, fullName: repository.fullName)
            cloneUrl = links.clone
            htmlUrl = links.html
            url = links.api
        }
    }

    struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
        var items: [Item]
        var nextCursor: String?
    }

    struct RefView: Encodable, Sendable {
        var name: String
        var commit: String
    }

    struct CommitView: Encodable, Sendable {
        var id: String
        var tree: String
        var parents: [String]
        var author: String
        var committer: String
        var message: String
    }

    struct TreeEntryView: Encodable, Sendable {
        var name: String
        var path: String
        var mode: String
        var type: String
        var id: String
    }

    struct RepositoryInput: Decodable {
        var name: String?
        var `private`: Bool?
        var description: String?
        var defaultBranch: String?
        var allowForcePush: Bool?
    }

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("/api")
        api.get("/repos") { request, _ in try await list(request) }
        api.post("/repos") { request, _ in try await create(request) }
        api.get("/repos/:owner/:name") { request, context in
            let handle = try await readableRepository(Self.name(context), request: request)
            return try JSONResponse.make(RepositoryView(handle.repository, base: node.address.base))
        }
        api.patch("/repos/:owner/:name") { request, context in try await update(request, name: Self.name(context)) }
        api.delete("/repos/:owner/:name") { request, context in try await delete(request, name: Self.name(context)) }
        api.get("/repos/:owner/:name/branches") { request, context in try await refs(request, name: Self.name(context), prefix: "refs/heads/") }
        api.get("/repos/:owner/:name/tags") { request, context in try await refs(request, name: Self.name(context), prefix: "refs/tags/") }
        api.get("/repos/:owner/:name/commits") { request, context in try await commits(request, name: Self.name(context)) }
        api.get("/repos/:owner/:name/tree/**") { request, context in
            try await tree(request, name: Self.name(context), components: context.parameters.getCatchAll().map(String.init))
        }
    }

    static func name(_ context: BasicRequestContext) -> String {
        "\(context.parameters.get("owner") ?? "")/\(context.parameters.get("name") ?? "")"
    }

    // MARK: Repositories

    private func list(_ request: Request) async throws -> Response {
        let limit = try Self.limit(request)
        let after = request.uri.queryParameters["cursor"].map(String.init)
        let canSeePrivate = node.access.level(for: request.headers) >= .write
        let storage = node.storage
        let base = node.address.base
        let generation = storage.repositories.generation
        let key = RepositoryPages.Key(cursor: after, limit: limit, canSeePrivate: canSeePrivate)
        func response(_ page: [UInt8]) -> Response {
            var response = JSONResponse.make(encoded: page)
            if !canSeePrivate { response.allowCaching(.untilRegistryChanges) }
            return response
        }
        if let page = node.repositoryPages.get(key, generation: generation) { return response(page) }
        let makePage: @Sendable () throws -> Page<RepositoryView> = {
            var items = [Repository]()
            var cursor = after
            while items.count < limit {
                let batch = try storage.repositories.list(after: cursor, limit: limit + 1)
                items += batch.filter { canSeePrivate || !$0.isPrivate }
                guard batch.count == limit + 1, let last = batch.last else { break }
                cursor = last.fullName
            }
            let visible = Array(items.prefix(limit))
            return Page(items: visible.map { RepositoryView($0, base: base) }, nextCursor: items.count > limit ? visible.last?.fullName : nil)
        }
        // With the list in memory the page is made here, without a trip to the blocking pool.
        let page = try JSONResponse.encode(storage.repositories.isListCached ? try makePage() : try await node.blockingPool.run(makePage))
        node.repositoryPages.store(page, for: key, generation: generation)
        return response(page)
    }

    private func create(_ request: Request) async throws -> Response {
        try requireWrite(request)
        let input = try await decode(RepositoryInput.self, from: request)
        guard let name = input.name else { throw NodeError(.unprocessableContent, "field 'name' is required") }
        let storage = node.storage
        let repository = try await node.blockingPool.run {
            try Self.mapStorageErrors {
                try storage.repositories.create(name: name, isPrivate: input.private ?? false, description: input.description ?? "", defaultBranch: input.defaultBranch ?? "main")
            }
        }
        return try JSONResponse.make(RepositoryView(repository, base: node.address.base), status: .created, headers: [.location: "/api/repos/\(repository.fullName)"])
    }

    private func update(_ request: Request, name: String) async throws -> Response {
        try requireWrite(request)
        let input = try await decode(RepositoryInput.self, from: request)
        let storage = node.storage
        let updated = try await node.blockingPool.run {
            try Self.mapStorageErrors {
                var current = name
                if let newName = input.name, newName != name {
                    current = try storage.repositories.rename(from: name, to: newName).fullName
                }
                return try storage.repositories.modify(name: current) { repository in
                    if let value = input.private { repository.isPrivate = value }
                    if let value = input.description { repository.description = value }
                    if let value = input.defaultBranch { repository.defaultBranch = value }
                    if let value = input.allowForcePush { repository.allowForcePush = value }
                }
            }
        }
        return try JSONResponse.make(RepositoryView(updated, base: node.address.base))
    }

    private func delete(_ request: Request, name: String) async throws -> Response {
        try requireWrite(request)
        let storage = node.storage
        let lfs = node.lfsObjects
        try await node.blockingPool.run {
            try Self.mapStorageErrors {
                guard let repository = try storage.repositories.get(name: name) else { throw NodeError(.notFound, "repository \(name) not found") }
                try storage.repositories.delete(name: name)
                lfs.removeAll(repositoryID: repository.id)
            }
        }
        return Response(status: .noContent)
    }

    // MARK: Refs, commits, trees

    private func refs(_ request: Request, name: String, prefix: String) async throws -> Response {
        let handle = try await readableRepository(name, request: request)
        let limit = try Self.limit(request)
        let after = request.uri.queryParameters["cursor"].map(String.init)
        let page: Page<RefView> = try await node.blockingPool.run {
            let all = try handle.refs.list(prefix: prefix).map { RefView(name: String($0.name.dropFirst(prefix.count)), commit: try handle.peel($0.id).hex) }
            let rest = after.map { cursor in all.filter { $0.name > cursor } } ?? all
            let items = Array(rest.prefix(limit))
            return Page(items: items, nextCursor: rest.count > limit ? items.last?.name : nil)
        }
        return try JSONResponse.make(page)
    }

    /// A page of history from `ref` (default HEAD), newest first by committer time; the
    /// cursor is the id of the first commit of the next page.
    private func commits(_ request: Request, name: String) async throws -> Response {
        let handle = try await readableRepository(name, request: request)
        let refGeneration = handle.refs.generation
        let limit = try Self.limit(request)
        let refName = request.uri.queryParameters["ref"].map(String.init) ?? "HEAD"
        let cursor = try request.uri.queryParameters["cursor"].map { text -> ObjectID in
            guard let id = ObjectID(hex: text) else { throw NodeError(.badRequest, "cursor must be a commit id") }
            return id
        }
        let reachable = node.reachableCommits
        let responses = node.immutableResponses
        let body: [UInt8] = try await node.blockingPool.run {
            let resolver = RefResolver(repository: handle, reachable: reachable)
            guard let start = try resolver.resolve(refName.split(separator: "/").map(String.init)) else {
                throw NodeError(.notFound, "ref \(refName.prefix(200)) not found")
            }
            if let cursor, try !reachable.contains(cursor, in: handle) {
                throw NodeError(.badRequest, "cursor \(cursor.hex) is not a commit of this repository's history")
            }
            // A page from a given commit never changes: the ref was resolved above, the rest is by id.
            var hasher = SHA1()
            hasher.update("commits \(start.commit.hex) \(cursor?.hex ?? "-") \(limit)".utf8)
            let key = ObjectCacheKey(repository: handle.repository.id, id: hasher.finalize())
            if let cached = responses.get(key) { return cached }
            let log = try CommitLog(repository: handle).page(from: start.commit, startingAt: cursor, limit: limit + 1)
            if let cursor, log.first?.id != cursor {
                throw NodeError(.badRequest, "cursor \(cursor.hex) is not in the history of \(refName.prefix(200))")
            }
            let items = log.prefix(limit).map { entry in
                CommitView(id: entry.id.hex, tree: entry.commit.tree.hex, parents: entry.commit.parents.map(\.hex),
                           author: entry.commit.author.description, committer: entry.commit.committer.description, message: entry.commit.messageText)
            }
            let encoded = try JSONResponse.encode(Page(items: Array(items), nextCursor: log.count > limit ? log[limit].id.hex : nil))
            responses.insert(key, encoded, cost: encoded.count)
            return encoded
        }
        var response = JSONResponse.make(encoded: body)
        response.allowCaching(.untilRefsChange(repositoryID: handle.repository.id, generation: refGeneration))
        return response
    }

    private func tree(_ request: Request, name: String, components: [String]) async throws -> Response {
        let handle = try await readableRepository(name, request: request)
        let components = try RefResolver.decode(components)
        let reachable = node.reachableCommits
        let (entries, treeID, immutable): ([TreeEntryView], ObjectID, Bool) = try await node.blockingPool.run {
            let resolver = RefResolver(repository: handle, reachable: reachable)
            guard let resolved = try resolver.resolve(components) else { throw NodeError(.notFound, "ref not found") }
            guard let entry = try resolver.entry(at: resolved.path, in: resolved.commit) else { throw NodeError(.notFound, "path not found") }
            guard entry.mode == .directory, let object = try handle.load(entry.id) else { throw NodeError(.unprocessableContent, "path is not a directory") }
            let base = resolved.path.filter { !$0.isEmpty }.joined(separator: "/")
            let views = try Tree(parsing: object.body).entries.map { item in
                TreeEntryView(name: item.nameString, path: base.isEmpty ? item.nameString : "\(base)/\(item.nameString)", mode: String(item.mode.rawValue, radix: 8),
                              type: item.mode == .directory ? "tree" : item.mode == .gitlink ? "commit" : "blob", id: item.id.hex)
            }
            return (views, entry.id, resolved.immutable)
        }
        let etag = "\"\(treeID.hex)\""
        let headers = ContentController.cachingHeaders(etag: etag, immutable: immutable)
        if ContentController.matches(request.headers[.ifNoneMatch], etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        return try JSONResponse.make(entries, headers: headers)
    }

    // MARK: Helpers

    /// The repository if it exists and the caller may read it. A private repository the
    /// caller may not read answers exactly as a missing one does (404), so strangers cannot
    /// tell which private names exist.
    func readableRepository(_ name: String, request: Request) async throws -> RepositoryHandle {
        let storage = node.storage
        let level = node.access.level(for: request.headers)
        // A record in memory needs no trip to the blocking pool.
        var found = storage.repositories.cached(name: name)
        if found == nil { found = try await node.blockingPool.run { try storage.repositories.get(name: name) } }
        guard let repository = found, !repository.isPrivate || level >= .write else {
            throw NodeError(.notFound, "repository \(name) not found")
        }
        return RepositoryHandle(repository: repository, storage: storage)
    }

    private func requireWrite(_ request: Request) throws {
        switch node.access.level(for: request.headers) {
        case .anonymous:
            if request.headers[.authorization] != nil { throw NodeError(.forbidden, "token not accepted") }
            throw NodeError.unauthorized()
        case .write, .admin: return
        }
    }

    private func decode<Value: Decodable>(_ type: Value.Type, from request: Request) async throws -> Value {
        let body = try await RequestBodyReader(limit: node.configuration.maxAPIBodyBytes).collect(request)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: Data(body))
        } catch {
            throw NodeError(.badRequest, "request body is not valid JSON for this endpoint")
        }
    }

    static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return 30 }
        guard let value = Int(text), (1...100).contains(value) else { throw NodeError(.badRequest, "limit must be between 1 and 100") }
        return value
    }

    /// Storage errors as the status codes a client can act on.
    static func mapStorageErrors<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as StorageError {
            switch error {
            case .invalidRepositoryName, .invalidRefName: throw NodeError(.unprocessableContent, "\(error)")
            case .repositoryExists: throw NodeError(.conflict, "\(error)")
            case .repositoryNotFound: throw NodeError(.notFound, "\(error)")
            default: throw error
            }
        }
    }
}
