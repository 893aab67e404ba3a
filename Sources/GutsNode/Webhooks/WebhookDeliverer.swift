import Foundation
import GutsGit
import GutsStorage
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers webhooks, as a service beside the HTTP server.
///
/// A push only writes a `WebhookEvent` into its own ref transaction and wakes this
/// service, so delivery never delays a push. The service turns events into deliveries
/// (one per hook and event, payload built from the history), then POSTs each due
/// delivery, at most `concurrency` at a time, each bounded by the configured timeout.
/// A failed attempt is retried after `webhookRetrySeconds`, doubling up to an hour, until
/// `webhookMaxAttempts`. Events, deliveries and the queue live in RocksDB, so whatever was
/// not delivered before a stop is delivered after the next start (a delivery in flight at
/// a crash is sent again: delivery is at least once, and `X-GitHub-Delivery` tells repeats).
final class WebhookDeliverer: Service, Sendable {
    let store: WebhookStore
    private let storage: Storage
    private let pool: BlockingPool
    private let logger: Logger
    private let sender: WebhookSender
    private let retrySeconds: Int
    private let maxAttempts: Int
    private let address: PublicAddress
    private let signal = WakeSignal()
    private let inFlight = Mutex<Set<UInt64>>([])
    private let stopping = Atomic<Bool>(false)

    static let concurrency = 8
    /// Deliveries kept in each hook's log.
    static let keptDeliveries = 500
    static let userAgent = "Guts-Hookshot/\(GutsNode.version)"

    init(storage: Storage, pool: BlockingPool, configuration: NodeConfiguration, address: PublicAddress, logger: Logger) {
        self.storage = storage
        self.store = WebhookStore(store: storage.store)
        self.pool = pool
        self.logger = logger
        self.sender = WebhookSender(policy: WebhookAddressPolicy(allowed: configuration.webhookAllowedHosts),
                                    timeoutSeconds: configuration.webhookTimeoutSeconds)
        self.retrySeconds = configuration.webhookRetrySeconds
        self.maxAttempts = configuration.webhookMaxAttempts
        self.address = address
    }

    var baseURL: String { address.base }

    /// There may be new work: a push, a new hook, a redelivery.
    func wake() { signal.signal() }

    /// Which address a hook's URL would be delivered to, or why it may not be (blocks on DNS).
    func checkDestination(_ url: String) -> Result<WebhookAddressPolicy.Address, WebhookDeliveryError> {
        sender.checkDestination(url)
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                while !Task.isCancelled && !stopping.load(ordering: .relaxed) {
                    do {
                        try await pool.runAdmitted { try self.expandEvents() }
                        let (due, next) = try await pool.runAdmitted { try self.dueDeliveries() }
                        for delivery in due {
                            let started = inFlight.withLock { running -> Bool in
                                guard running.count < Self.concurrency, running.insert(delivery.id).inserted else { return false }
                                return true
                            }
                            guard started else { continue }
                            group.addTask {
                                await self.attempt(delivery)
                                _ = self.inFlight.withLock { $0.remove(delivery.id) }
                                self.wake()
                            }
                        }
                        await signal.wait(seconds: next.map { min(60, max(0.05, $0.timeIntervalSinceNow)) } ?? 60)
                    } catch {
                        logger.error("webhook queue unreadable; retrying", metadata: ["error": "\(error)"])
                        await signal.wait(seconds: 5)
                    }
                }
            } onGracefulShutdown: {
                self.stopping.store(true, ordering: .relaxed)
                self.wake()
            }
            // Deliveries in flight stay queued and are sent again after the next start.
            group.cancelAll()
        }
    }

    /// Pending deliveries due now (not already in flight), and when the next one falls due.
    private func dueDeliveries() throws -> ([WebhookDelivery], Date?) {
        let now = Date()
        let running = inFlight.withLock { $0 }
        let waiting = try store.queued().filter { !running.contains($0.id) }
        let due = waiting.filter { ($0.nextAttemptAt ?? now) <= now }
        let next = waiting.compactMap { $0.nextAttemptAt }.filter { $0 > now }.min()
        return (due, next)
    }

    // MARK: Events to deliveries

    private func expandEvents() throws {
        for (key, event) in try store.pendingEvents(limit: 50) {
            var items: [(delivery: WebhookDelivery, payload: [UInt8])] = []
            if let repository = try storage.repositories.get(id: event.repositoryID) {
                do {
                    items = try deliveries(for: event, repository: repository)
                } catch {
                    logger.error("webhook payload could not be built", metadata: ["repository": "\(repository.fullName)", "error": "\(error)"])
                }
            }
            try store.enqueue(items, replacingEvent: key)
        }
    }

    private func deliveries(for event: WebhookEvent, repository: Repository) throws -> [(delivery: WebhookDelivery, payload: [UInt8])] {
        let hooks = try store.hooks(repositoryID: repository.id).filter(\.active)
        guard !hooks.isEmpty else { return [] }
        let handle = RepositoryHandle(repository: repository, storage: storage)
        let builder = WebhookPushBuilder(handle: handle, baseURL: baseURL)
        let changed = Set(event.refs.map(\.name))
        let otherTips = try handle.refs.list(prefix: "refs/heads/").filter { !changed.contains($0.name) }.map(\.id)
        var items: [(delivery: WebhookDelivery, payload: [UInt8])] = []
        func add(_ name: String, _ payload: [UInt8]) {
            let guid = UUID().uuidString.lowercased()
            for hook in hooks where hook.wants(name) {
                items.append((WebhookDelivery(id: 0, guid: guid, hookID: hook.id, repositoryID: repository.id, event: name, createdAt: event.pushedAt), payload))
            }
        }
        for change in event.refs {
            if let (name, payload) = builder.refEvent(change, pusher: event.pusher), hooks.contains(where: { $0.wants(name) }) {
                add(name, try WebhookPayloads.encode(payload))
            }
            if hooks.contains(where: { $0.wants("push") }) {
                add("push", try WebhookPayloads.encode(try builder.push(change, pusher: event.pusher, otherTips: otherTips)))
            }
        }
        return items
    }

    /// Queues a `ping` to a new hook, as GitHub does when a hook is created.
    func ping(_ hook: Webhook, repository: Repository, sender: String) throws {
        let payload = try WebhookPayloads.ping(hook: hook, repository: repository, baseURL: baseURL, sender: sender)
        let delivery = WebhookDelivery(id: 0, guid: UUID().uuidString.lowercased(), hookID: hook.id, repositoryID: repository.id, event: "ping", createdAt: Date())
        try store.enqueue([(delivery, payload)])
        wake()
    }

    /// Queues the payload of `original` again, as a new delivery with the same GUID.
    func redeliver(_ original: WebhookDelivery) throws -> WebhookDelivery? {
        guard let payload = try store.payload(deliveryID: original.id) else { return nil }
        var copy = WebhookDelivery(id: 0, guid: original.guid, hookID: original.hookID, repositoryID: original.repositoryID,
                                   event: original.event, action: original.action, redelivery: true, createdAt: Date())
        copy.requestHeaders = [:]
        let stored = try store.enqueue([(copy, payload)]).first
        wake()
        return stored
    }

    // MARK: Sending

    private func attempt(_ queued: WebhookDelivery) async {
        var delivery = queued
        let loaded: (Webhook?, [UInt8]?)
        do {
            loaded = try await pool.runAdmitted { [store] in
                (try store.hook(repositoryID: queued.repositoryID, id: queued.hookID), try store.payload(deliveryID: queued.id))
            }
        } catch {
            logger.error("webhook delivery unreadable", metadata: ["delivery": "\(queued.id)", "error": "\(error)"])
            return
        }
        guard let hook = loaded.0, hook.active, let payload = loaded.1 else {
            delivery.state = .failed
            delivery.status = loaded.0 == nil ? "webhook deleted" : loaded.1 == nil ? "payload missing" : "webhook inactive"
            delivery.nextAttemptAt = nil
            await save(delivery, lastResponse: nil)
            return
        }
        let (headers, body) = Self.request(for: delivery, hook: hook, payload: payload)
        delivery.requestHeaders = Dictionary(headers, uniquingKeysWith: { _, last in last })
        let clock = ContinuousClock()
        let started = clock.now
        let result: Result<WebhookSender.Answer, WebhookDeliveryError>
        switch await (try? pool.runAdmitted { [sender] in sender.checkDestination(hook.url) }) ?? .failure(.transport("node is shutting down")) {
        case .failure(let error): result = .failure(error)
        case .success(let address): result = await sender.send(url: hook.url, headers: headers, body: body, address: address)
        }
        // A stop cut the attempt short: it stays queued, unchanged, for the next start.
        if Task.isCancelled || stopping.load(ordering: .relaxed) { return }
        delivery.attempts += 1
        delivery.deliveredAt = Date()
        delivery.durationSeconds = (clock.now - started).seconds
        var permanent = false
        switch result {
        case .success(let answer):
            delivery.statusCode = answer.statusCode
            delivery.status = answer.reason.isEmpty ? "HTTP \(answer.statusCode)" : answer.reason
            delivery.responseHeaders = answer.headers
            delivery.responseBody = answer.body
            if (200..<300).contains(answer.statusCode) { delivery.state = .delivered }
        case .failure(let error):
            delivery.statusCode = nil
            delivery.status = error.description
            delivery.responseHeaders = [:]
            delivery.responseBody = ""
            permanent = error.isPermanent
        }
        if delivery.state != .delivered {
            if permanent || delivery.attempts >= maxAttempts {
                delivery.state = .failed
                delivery.nextAttemptAt = nil
            } else {
                let delay = min(3600, Double(retrySeconds) * pow(2, Double(delivery.attempts - 1)))
                delivery.nextAttemptAt = Date().addingTimeInterval(delay)
            }
        }
        logger.info("webhook delivery", metadata: [
            "hook": "\(hook.id)", "delivery": "\(delivery.id)", "event": "\(delivery.event)", "status": "\(delivery.status)",
            "attempt": "\(delivery.attempts)", "state": "\(delivery.state.rawValue)",
        ])
        let message = delivery.statusCode == nil ? delivery.status : nil
        await save(delivery, lastResponse: Webhook.LastResponse(code: delivery.statusCode, status: delivery.state == .delivered ? "active" : "failed", message: message))
    }

    private func save(_ delivery: WebhookDelivery, lastResponse: Webhook.LastResponse?) async {
        do {
            try await pool.runAdmitted { [store] in
                try store.record(delivery, lastResponse: lastResponse)
                if delivery.id % 50 == 0 { try store.prune(repositoryID: delivery.repositoryID, hookID: delivery.hookID, keep: Self.keptDeliveries) }
            }
        } catch {
            logger.error("webhook delivery result not saved", metadata: ["delivery": "\(delivery.id)", "error": "\(error)"])
        }
    }

    /// The headers and body GitHub would send for this delivery, signed with the hook's secret.
    static func request(for delivery: WebhookDelivery, hook: Webhook, payload: [UInt8]) -> (headers: [(String, String)], body: [UInt8]) {
        let body: [UInt8]
        let contentType: String
        if hook.contentType == "form" {
            let json = String(decoding: payload, as: UTF8.self)
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            body = Array(("payload=" + (json.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")).utf8)
            contentType = "application/x-www-form-urlencoded"
        } else {
            body = payload
            contentType = "application/json"
        }
        var headers: [(String, String)] = [
            ("Content-Type", contentType), ("User-Agent", userAgent), ("X-GitHub-Event", delivery.event),
            ("X-GitHub-Delivery", delivery.guid), ("X-GitHub-Hook-ID", String(hook.id)),
            ("X-GitHub-Hook-Installation-Target-Type", "repository"), ("X-GitHub-Hook-Installation-Target-ID", String(hook.repositoryID)),
        ]
        if !hook.secret.isEmpty {
            headers.append(("X-Hub-Signature", WebhookSignature.sha1(body: body, secret: hook.secret)))
            headers.append(("X-Hub-Signature-256", WebhookSignature.sha256(body: body, secret: hook.secret)))
        }
        return (headers, body)
    }
}
