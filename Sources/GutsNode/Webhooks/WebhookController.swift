import Foundation
import GutsStorage
import HTTPTypes
import Hummingbird

/// `/api/repos/{owner}/{name}/hooks`: GitHub's repository webhook API (create, list, read,
/// change, delete, ping), the delivery log and redelivery. Every route needs a write
/// token; secrets are never shown again once set.
struct WebhookController: Sendable {
    let node: GutsNode

    static let knownEvents: Set<String> = ["push", "create", "delete", "ping", "*"]
    static let maxSecretBytes = 1024
    static let maxURLBytes = 2048

    struct ConfigInput: Decodable {
        var url: String?
        var contentType: String?
        var secret: String?
    }

    struct HookInput: Decodable {
        var config: ConfigInput?
        var events: [String]?
        var addEvents: [String]?
        var removeEvents: [String]?
        var active: Bool?
    }

    struct ConfigView: Encodable {
        var url: String
        var contentType: String
        var insecureSsl = "0"
        var secret: String?
    }

    struct HookView: Encodable {
        var type = "Repository"
        var id: UInt64
        var name = "web"
        var active: Bool
        var events: [String]
        var config: ConfigView
        var createdAt: Date
        var updatedAt: Date
        var url: String
        var pingUrl: String
        var deliveriesUrl: String
        var lastResponse: Webhook.LastResponse
    }

    struct DeliveryView: Encodable {
        var id: UInt64
        var guid: String
        var deliveredAt: Date?
        var redelivery: Bool
        var duration: Double?
        var status: String
        var statusCode: Int?
        var event: String
        var action: String?
        var state: String
        var attempts: Int
        var nextAttemptAt: Date?
        var hookId: UInt64
        var repositoryId: UInt64
    }

    func register(on router: Router<BasicRequestContext>) {
        let hooks = router.group("/api/repos/:owner/:name/hooks")
        hooks.get("") { request, context in try await list(request, context) }
        hooks.post("") { request, context in try await create(request, context) }
        hooks.get(":hook") { request, context in try await show(request, context) }
        hooks.patch(":hook") { request, context in try await update(request, context) }
        hooks.delete(":hook") { request, context in try await delete(request, context) }
        hooks.post(":hook/pings") { request, context in try await ping(request, context) }
        hooks.get(":hook/deliveries") { request, context in try await deliveries(request, context) }
        hooks.get(":hook/deliveries/:delivery") { request, context in try await delivery(request, context) }
        hooks.post(":hook/deliveries/:delivery/attempts") { request, context in try await redeliver(request, context) }
    }

    // MARK: Hooks

    private func list(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let repository = try await writableRepository(request, context)
        let store = node.webhooks.store
        let hooks = try await node.blockingPool.run { try store.hooks(repositoryID: repository.id) }
        return try JSONResponse.make(hooks.map { view($0, repository: repository) })
    }

    private func create(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let repository = try await writableRepository(request, context)
        let input = try await decode(request)
        guard let url = input.config?.url else { throw NodeError(.unprocessableContent, "config.url is required") }
        let contentType = try Self.contentType(input.config?.contentType ?? "json")
        let events = try Self.events(input.events ?? ["push"])
        let secret = try Self.secret(input.config?.secret ?? "")
        try await checkDestination(url)
        let store = node.webhooks.store
        let active = input.active ?? true
        let hook = try await node.blockingPool.run {
            try store.createHook(repositoryID: repository.id, url: url, contentType: contentType, secret: secret, events: events, active: active)
        }
        if hook.active {
            let sender = node.access.caller(for: request.headers).name ?? "anonymous"
            try await node.blockingPool.run { [webhooks = node.webhooks] in try webhooks.ping(hook, repository: repository, sender: sender) }
        }
        let location = "/api/repos/\(repository.fullName)/hooks/\(hook.id)"
        return try JSONResponse.make(view(hook, repository: repository), status: .created, headers: [.location: location])
    }

    private func show(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (repository, hook) = try await existingHook(request, context)
        return try JSONResponse.make(view(hook, repository: repository))
    }

    private func update(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (repository, current) = try await existingHook(request, context)
        let input = try await decode(request)
        let url = input.config?.url
        if let url, url != current.url { try await checkDestination(url) }
        let contentType = try input.config?.contentType.map(Self.contentType)
        let secret = try input.config?.secret.map(Self.secret)
        var events = current.events
        if let replaced = input.events { events = replaced }
        events += (input.addEvents ?? []).filter { !events.contains($0) }
        events.removeAll { (input.removeEvents ?? []).contains($0) }
        let chosen = try Self.events(events)
        let store = node.webhooks.store
        let updated = try await node.blockingPool.run {
            try store.updateHook(repositoryID: repository.id, id: current.id) { hook in
                if let url { hook.url = url }
                if let contentType { hook.contentType = contentType }
                if let secret { hook.secret = secret }
                if let active = input.active { hook.active = active }
                hook.events = chosen
                hook.updatedAt = Date()
            }
        }
        guard let updated else { throw NodeError(.notFound, "webhook \(current.id) not found") }
        return try JSONResponse.make(view(updated, repository: repository))
    }

    private func delete(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (repository, hook) = try await existingHook(request, context)
        let store = node.webhooks.store
        guard try await node.blockingPool.run({ try store.deleteHook(repositoryID: repository.id, id: hook.id) }) else {
            throw NodeError(.notFound, "webhook \(hook.id) not found")
        }
        return Response(status: .noContent)
    }

    private func ping(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (repository, hook) = try await existingHook(request, context)
        let sender = node.access.caller(for: request.headers).name ?? "anonymous"
        try await node.blockingPool.run { [webhooks = node.webhooks] in try webhooks.ping(hook, repository: repository, sender: sender) }
        return Response(status: .noContent)
    }

    // MARK: Deliveries

    private func deliveries(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (repository, hook) = try await existingHook(request, context)
        let limit = try APIController.limit(request)
        let cursor = try request.uri.queryParameters["cursor"].map { text -> UInt64 in
            guard let id = UInt64(text) else { throw NodeError(.badRequest, "cursor must be a delivery id") }
            return id
        }
        let store = node.webhooks.store
        let page = try await node.blockingPool.run {
            try store.deliveries(repositoryID: repository.id, hookID: hook.id, before: cursor, limit: limit + 1)
        }
        let items = page.prefix(limit).map(Self.view)
        var headers: HTTPFields = [:]
        if page.count > limit, let last = items.last {
            // safe: a constant, valid header name.
            headers[HTTPField.Name("Link")!] = "</api/repos/\(repository.fullName)/hooks/\(hook.id)/deliveries?cursor=\(last.id)&limit=\(limit)>; rel=\"next\""
        }
        return try JSONResponse.make(Array(items), headers: headers)
    }

    /// One delivery with what was sent (headers and payload) and what came back.
    private func delivery(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (repository, hook) = try await existingHook(request, context)
        let id = try Self.id(context.parameters.get("delivery"), "delivery")
        let store = node.webhooks.store
        let found: (WebhookDelivery, [UInt8]?)? = try await node.blockingPool.run {
            guard let delivery = try store.delivery(repositoryID: repository.id, hookID: hook.id, id: id) else { return nil }
            return (delivery, try store.payload(deliveryID: id))
        }
        guard let found else { throw NodeError(.notFound, "delivery \(id) not found") }
        let (delivery, payload) = found
        guard var object = try JSONSerialization.jsonObject(with: JSONResponse.encoder.encode(Self.view(delivery))) as? [String: Any] else {
            throw NodeError(.internalServerError, "cannot encode delivery \(id)")
        }
        let payloadObject = payload.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) } ?? NSNull()
        object["request"] = ["headers": delivery.requestHeaders, "payload": payloadObject]
        object["response"] = ["headers": delivery.responseHeaders, "payload": delivery.responseBody]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private func redeliver(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (repository, hook) = try await existingHook(request, context)
        let id = try Self.id(context.parameters.get("delivery"), "delivery")
        let webhooks = node.webhooks
        let copy: WebhookDelivery? = try await node.blockingPool.run {
            guard let original = try webhooks.store.delivery(repositoryID: repository.id, hookID: hook.id, id: id) else { return nil }
            return try webhooks.redeliver(original)
        }
        guard let copy else { throw NodeError(.notFound, "delivery \(id) not found") }
        return try JSONResponse.make(Self.view(copy), status: .accepted)
    }

    // MARK: Helpers

    private func writableRepository(_ request: Request, _ context: BasicRequestContext) async throws -> Repository {
        switch node.access.level(for: request.headers) {
        case .anonymous:
            if request.headers[.authorization] != nil { throw NodeError(.forbidden, "token not accepted") }
            throw NodeError.unauthorized()
        case .write, .admin:
            let name = APIController.name(context)
            let storage = node.storage
            guard let repository = try await node.blockingPool.run({ try storage.repositories.get(name: name) }) else {
                throw NodeError(.notFound, "repository \(name) not found")
            }
            return repository
        }
    }

    private func existingHook(_ request: Request, _ context: BasicRequestContext) async throws -> (Repository, Webhook) {
        let repository = try await writableRepository(request, context)
        let id = try Self.id(context.parameters.get("hook"), "webhook")
        let store = node.webhooks.store
        guard let hook = try await node.blockingPool.run({ try store.hook(repositoryID: repository.id, id: id) }) else {
            throw NodeError(.notFound, "webhook \(id) not found")
        }
        return (repository, hook)
    }

    /// Refuses (422) a URL that is malformed or leads to an address the policy forbids.
    private func checkDestination(_ url: String) async throws {
        guard url.utf8.count <= Self.maxURLBytes else { throw NodeError(.unprocessableContent, "config.url is longer than \(Self.maxURLBytes) bytes") }
        let webhooks = node.webhooks
        let result = try await node.blockingPool.run { webhooks.checkDestination(url) }
        if case .failure(let error) = result { throw NodeError(.unprocessableContent, "config.url: \(error)") }
    }

    private func decode(_ request: Request) async throws -> HookInput {
        let body = try await RequestBodyReader(limit: node.configuration.maxAPIBodyBytes).collect(request)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(HookInput.self, from: Data(body))
        } catch {
            throw NodeError(.badRequest, "request body is not valid JSON for a webhook")
        }
    }

    static func contentType(_ value: String) throws -> String {
        guard value == "json" || value == "form" else { throw NodeError(.unprocessableContent, "config.content_type must be json or form") }
        return value
    }

    static func events(_ values: [String]) throws -> [String] {
        guard !values.isEmpty else { throw NodeError(.unprocessableContent, "events must name at least one event") }
        if let unknown = values.first(where: { !knownEvents.contains($0) }) {
            throw NodeError(.unprocessableContent, "unknown event '\(unknown.prefix(60))'; supported: push, create, delete, ping, *")
        }
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    static func secret(_ value: String) throws -> String {
        guard value.utf8.count <= maxSecretBytes else { throw NodeError(.unprocessableContent, "config.secret is longer than \(maxSecretBytes) bytes") }
        return value
    }

    static func id(_ text: String?, _ what: String) throws -> UInt64 {
        guard let text, let id = UInt64(text) else { throw NodeError(.notFound, "\(what) \(text?.prefix(40) ?? "") not found") }
        return id
    }

    private func view(_ hook: Webhook, repository: Repository) -> HookView {
        let base = "/api/repos/\(repository.fullName)/hooks/\(hook.id)"
        return HookView(
            id: hook.id, active: hook.active, events: hook.events,
            config: ConfigView(url: hook.url, contentType: hook.contentType, secret: hook.secret.isEmpty ? nil : "********"),
            createdAt: hook.createdAt, updatedAt: hook.updatedAt, url: base, pingUrl: base + "/pings", deliveriesUrl: base + "/deliveries",
            lastResponse: hook.lastResponse ?? Webhook.LastResponse(code: nil, status: "unused", message: nil))
    }

    static func view(_ delivery: WebhookDelivery) -> DeliveryView {
        DeliveryView(
            id: delivery.id, guid: delivery.guid, deliveredAt: delivery.deliveredAt, redelivery: delivery.redelivery,
            duration: delivery.durationSeconds, status: delivery.status, statusCode: delivery.statusCode, event: delivery.event,
            action: delivery.action, state: delivery.state.rawValue, attempts: delivery.attempts, nextAttemptAt: delivery.nextAttemptAt,
            hookId: delivery.hookID, repositoryId: delivery.repositoryID)
    }
}
