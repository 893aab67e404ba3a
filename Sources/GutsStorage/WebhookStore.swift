import Foundation

/// A repository's webhook: where to POST which events, and the secret that signs them.
public struct Webhook: Codable, Sendable, Equatable {
    /// The outcome of the hook's latest delivery attempt.
    public struct LastResponse: Codable, Sendable, Equatable {
        public var code: Int?
        public var status: String
        public var message: String?

        public init(code: Int?, status: String, message: String?) {
            self.code = code
            self.status = status
            self.message = message
        }
    }

    public var id: UInt64
    public var repositoryID: UInt64
    public var url: String
    /// `json` or `form`.
    public var contentType: String
    public var secret: String
    public var events: [String]
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var lastResponse: LastResponse?

    public func wants(_ event: String) -> Bool { events.contains(event) || events.contains("*") }
}

/// A push waiting to be turned into deliveries: written in the same batch as the push's
/// ref updates, so no accepted push loses its webhooks to a crash.
public struct WebhookEvent: Codable, Sendable, Equatable {
    public struct RefChange: Codable, Sendable, Equatable {
        public var name: String
        /// Hex ids; 40 zeros for a created (`before`) or deleted (`after`) ref.
        public var before: String
        public var after: String

        public init(name: String, before: String, after: String) {
            self.name = name
            self.before = before
            self.after = after
        }
    }

    public var repositoryID: UInt64
    public var refs: [RefChange]
    /// Name of the token that pushed.
    public var pusher: String
    public var pushedAt: Date

    public init(repositoryID: UInt64, refs: [RefChange], pusher: String, pushedAt: Date) {
        self.repositoryID = repositoryID
        self.refs = refs
        self.pusher = pusher
        self.pushedAt = pushedAt
    }
}

/// One POST of one event to one webhook, with its retries and the last answer.
public struct WebhookDelivery: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case pending, delivered, failed
    }

    public var id: UInt64
    /// The `X-GitHub-Delivery` value; a redelivery keeps the original's.
    public var guid: String
    public var hookID: UInt64
    public var repositoryID: UInt64
    public var event: String
    public var action: String?
    public var redelivery: Bool
    public var createdAt: Date
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
    public var statusCode: Int?
    /// `OK`, an HTTP reason, or why no answer came (refused, timed out...).
    public var status: String
    public var durationSeconds: Double?
    public var requestHeaders: [String: String]
    public var responseHeaders: [String: String]
    /// The first bytes of the receiver's answer.
    public var responseBody: String

    public init(id: UInt64, guid: String, hookID: UInt64, repositoryID: UInt64, event: String, action: String? = nil,
                redelivery: Bool = false, createdAt: Date, requestHeaders: [String: String] = [:]) {
        self.id = id
        self.guid = guid
        self.hookID = hookID
        self.repositoryID = repositoryID
        self.event = event
        self.action = action
        self.redelivery = redelivery
        self.createdAt = createdAt
        self.state = .pending
        self.attempts = 0
        self.nextAttemptAt = createdAt
        self.status = "pending"
        self.requestHeaders = requestHeaders
        self.responseHeaders = [:]
        self.responseBody = ""
    }
}

/// Webhooks, the events waiting for them and the deliveries with their log, in `metadata`:
///
/// - `hook/rec/<repository BE 8><hook BE 8>` → JSON `Webhook`
/// - `hook/event/<time ms BE 8><random BE 8>` → JSON `WebhookEvent` (pushes not yet expanded)
/// - `hook/del/<repository BE 8><hook BE 8><~delivery BE 8>` → JSON `WebhookDelivery`
///   (the id inverted, so a scan lists the newest first)
/// - `hook/body/<delivery BE 8>` → the payload sent
/// - `hook/queue/<delivery BE 8>` → `<repository BE 8><hook BE 8>`: deliveries still to attempt
/// - `counter/hook`, `counter/hookdelivery` → last issued ids
///
/// The queue lives in RocksDB next to everything else, so deliveries survive a restart.
public final class WebhookStore: Sendable {
    static let hookPrefix = Array("hook/rec/".utf8)
    static let eventPrefix = Array("hook/event/".utf8)
    static let deliveryPrefix = Array("hook/del/".utf8)
    static let bodyPrefix = Array("hook/body/".utf8)
    static let queuePrefix = Array("hook/queue/".utf8)
    static let hookCounter = Array("counter/hook".utf8)
    static let deliveryCounter = Array("counter/hookdelivery".utf8)

    let store: any KeyValueStore
    private let lock = StorageLock()

    public init(store: any KeyValueStore) {
        self.store = store
    }

    static func hookKey(_ repositoryID: UInt64, _ id: UInt64) -> [UInt8] { hookPrefix + KeyCoding.bigEndian(repositoryID) + KeyCoding.bigEndian(id) }
    static func deliveryKey(_ repositoryID: UInt64, _ hookID: UInt64, _ id: UInt64) -> [UInt8] {
        deliveryPrefix + KeyCoding.bigEndian(repositoryID) + KeyCoding.bigEndian(hookID) + KeyCoding.bigEndian(~id)
    }
    static func bodyKey(_ id: UInt64) -> [UInt8] { bodyPrefix + KeyCoding.bigEndian(id) }
    static func queueKey(_ id: UInt64) -> [UInt8] { queuePrefix + KeyCoding.bigEndian(id) }

    // MARK: Hooks

    public func createHook(repositoryID: UInt64, url: String, contentType: String, secret: String, events: [String], active: Bool,
                           now: Date = Date()) throws -> Webhook {
        try lock.withLock {
            let id = try nextID(Self.hookCounter, count: 1)
            let hook = Webhook(id: id, repositoryID: repositoryID, url: url, contentType: contentType, secret: secret, events: events,
                               active: active, createdAt: now, updatedAt: now, lastResponse: nil)
            var batch = WriteBatch()
            batch.durable = true
            batch.put(Self.hookCounter, KeyCoding.bigEndian(id), in: .metadata)
            batch.put(Self.hookKey(repositoryID, id), try Self.encode(hook), in: .metadata)
            try store.write(batch)
            return hook
        }
    }

    public func hook(repositoryID: UInt64, id: UInt64) throws -> Webhook? {
        try store.get(Self.hookKey(repositoryID, id), in: .metadata).map { try Self.decode(Webhook.self, $0) }
    }

    public func hooks(repositoryID: UInt64) throws -> [Webhook] {
        try store.scan(prefix: Self.hookPrefix + KeyCoding.bigEndian(repositoryID), in: .metadata).map { try Self.decode(Webhook.self, $0.value) }
    }

    public func hasHooks(repositoryID: UInt64) throws -> Bool {
        try !store.scan(prefix: Self.hookPrefix + KeyCoding.bigEndian(repositoryID), in: .metadata, limit: 1).isEmpty
    }

    /// Changes a hook under the store's lock; nil when there is no such hook.
    public func updateHook(repositoryID: UInt64, id: UInt64, _ change: (inout Webhook) throws -> Void) throws -> Webhook? {
        try lock.withLock {
            guard var hook = try hook(repositoryID: repositoryID, id: id) else { return nil }
            try change(&hook)
            hook.id = id
            hook.repositoryID = repositoryID
            try store.put(Self.hookKey(repositoryID, id), try Self.encode(hook), in: .metadata)
            return hook
        }
    }

    /// Removes a hook with its deliveries, their payloads and queue entries; false when absent.
    public func deleteHook(repositoryID: UInt64, id: UInt64) throws -> Bool {
        try lock.withLock {
            guard try hook(repositoryID: repositoryID, id: id) != nil else { return false }
            var batch = WriteBatch()
            batch.delete(Self.hookKey(repositoryID, id), in: .metadata)
            let prefix = Self.deliveryPrefix + KeyCoding.bigEndian(repositoryID) + KeyCoding.bigEndian(id)
            for entry in try store.scan(prefix: prefix, in: .metadata) {
                guard let inverted = KeyCoding.decodeBigEndian(entry.key.suffix(8)) else { continue }
                batch.delete(Self.bodyKey(~inverted), in: .metadata)
                batch.delete(Self.queueKey(~inverted), in: .metadata)
            }
            batch.deletePrefix(prefix, in: .metadata)
            try store.write(batch)
            return true
        }
    }

    /// Adds the removal of every hook, delivery, payload and queue entry of a repository to `batch`.
    static func deleteAll(repositoryID: UInt64, store: any KeyValueStore, in batch: inout WriteBatch) throws {
        let repository = KeyCoding.bigEndian(repositoryID)
        for entry in try store.scan(prefix: deliveryPrefix + repository, in: .metadata) {
            guard let inverted = KeyCoding.decodeBigEndian(entry.key.suffix(8)) else { continue }
            batch.delete(bodyKey(~inverted), in: .metadata)
            batch.delete(queueKey(~inverted), in: .metadata)
        }
        batch.deletePrefix(hookPrefix + repository, in: .metadata)
        batch.deletePrefix(deliveryPrefix + repository, in: .metadata)
    }

    // MARK: Events

    /// Adds `event` to `batch` (the batch of the ref updates it reports).
    public static func enqueue(_ event: WebhookEvent, in batch: inout WriteBatch) throws {
        let time = event.pushedAt.timeIntervalSince1970 * 1000
        let milliseconds = UInt64(time.isFinite ? min(max(0, time), 1e15) : 0)
        let key = eventPrefix + KeyCoding.bigEndian(milliseconds) + KeyCoding.bigEndian(UInt64.random(in: 0...UInt64.max))
        batch.put(key, try encode(event), in: .metadata)
    }

    /// Events not yet expanded into deliveries, oldest first.
    public func pendingEvents(limit: Int) throws -> [(key: [UInt8], event: WebhookEvent)] {
        try store.scan(prefix: Self.eventPrefix, in: .metadata, limit: limit).map { ($0.key, try Self.decode(WebhookEvent.self, $0.value)) }
    }

    /// Replaces the event under `eventKey` (if any) with `deliveries` and their payloads,
    /// queued, in one durable batch. Ids are assigned here, in order.
    @discardableResult
    public func enqueue(_ deliveries: [(delivery: WebhookDelivery, payload: [UInt8])], replacingEvent eventKey: [UInt8]? = nil) throws -> [WebhookDelivery] {
        try lock.withLock {
            var batch = WriteBatch()
            batch.durable = true
            if let eventKey { batch.delete(eventKey, in: .metadata) }
            var stored: [WebhookDelivery] = []
            if !deliveries.isEmpty {
                let last = try nextID(Self.deliveryCounter, count: deliveries.count)
                batch.put(Self.deliveryCounter, KeyCoding.bigEndian(last), in: .metadata)
                for (offset, item) in deliveries.enumerated() {
                    var delivery = item.delivery
                    delivery.id = last - UInt64(deliveries.count - 1 - offset)
                    batch.put(Self.deliveryKey(delivery.repositoryID, delivery.hookID, delivery.id), try Self.encode(delivery), in: .metadata)
                    batch.put(Self.bodyKey(delivery.id), item.payload, in: .metadata)
                    batch.put(Self.queueKey(delivery.id), KeyCoding.bigEndian(delivery.repositoryID) + KeyCoding.bigEndian(delivery.hookID), in: .metadata)
                    stored.append(delivery)
                }
            }
            try store.write(batch)
            return stored
        }
    }

    // MARK: Deliveries

    /// Every delivery still to attempt, by id.
    public func queued() throws -> [WebhookDelivery] {
        var found: [WebhookDelivery] = []
        var stale = WriteBatch()
        for entry in try store.scan(prefix: Self.queuePrefix, in: .metadata) {
            guard let id = KeyCoding.decodeBigEndian(entry.key.suffix(8)), entry.value.count == 16,
                  let repositoryID = KeyCoding.decodeBigEndian(entry.value.prefix(8)),
                  let hookID = KeyCoding.decodeBigEndian(entry.value.suffix(8)),
                  let delivery = try delivery(repositoryID: repositoryID, hookID: hookID, id: id), delivery.state == .pending else {
                stale.delete(entry.key, in: .metadata)
                continue
            }
            found.append(delivery)
        }
        if !stale.isEmpty { try store.write(stale) }
        return found
    }

    public func delivery(repositoryID: UInt64, hookID: UInt64, id: UInt64) throws -> WebhookDelivery? {
        try store.get(Self.deliveryKey(repositoryID, hookID, id), in: .metadata).map { try Self.decode(WebhookDelivery.self, $0) }
    }

    public func payload(deliveryID: UInt64) throws -> [UInt8]? {
        try store.get(Self.bodyKey(deliveryID), in: .metadata)
    }

    /// A hook's deliveries, newest first, older than the delivery `before` when given.
    public func deliveries(repositoryID: UInt64, hookID: UInt64, before: UInt64? = nil, limit: Int) throws -> [WebhookDelivery] {
        let prefix = Self.deliveryPrefix + KeyCoding.bigEndian(repositoryID) + KeyCoding.bigEndian(hookID)
        return try store.scan(prefix: prefix, in: .metadata, startingAfter: before.map { Self.deliveryKey(repositoryID, hookID, $0) }, limit: limit)
            .map { try Self.decode(WebhookDelivery.self, $0.value) }
    }

    /// Saves a delivery after an attempt (and the hook's last response), leaving the queue
    /// once it is no longer pending.
    public func record(_ delivery: WebhookDelivery, lastResponse: Webhook.LastResponse?) throws {
        try lock.withLock {
            var batch = WriteBatch()
            // The delivery may have been removed with its hook meanwhile.
            guard let hookValue = try store.get(Self.hookKey(delivery.repositoryID, delivery.hookID), in: .metadata) else { return }
            batch.put(Self.deliveryKey(delivery.repositoryID, delivery.hookID, delivery.id), try Self.encode(delivery), in: .metadata)
            if delivery.state != .pending { batch.delete(Self.queueKey(delivery.id), in: .metadata) }
            if let lastResponse {
                var hook = try Self.decode(Webhook.self, hookValue)
                hook.lastResponse = lastResponse
                batch.put(Self.hookKey(delivery.repositoryID, delivery.hookID), try Self.encode(hook), in: .metadata)
            }
            try store.write(batch)
        }
    }

    /// Removes all but the newest `keep` deliveries of a hook that are no longer pending.
    public func prune(repositoryID: UInt64, hookID: UInt64, keep: Int) throws {
        let prefix = Self.deliveryPrefix + KeyCoding.bigEndian(repositoryID) + KeyCoding.bigEndian(hookID)
        let entries = try store.scan(prefix: prefix, in: .metadata)
        guard entries.count > keep else { return }
        var batch = WriteBatch()
        for entry in entries.dropFirst(keep) {
            let delivery = try Self.decode(WebhookDelivery.self, entry.value)
            guard delivery.state != .pending else { continue }
            batch.delete(entry.key, in: .metadata)
            batch.delete(Self.bodyKey(delivery.id), in: .metadata)
        }
        if !batch.isEmpty { try store.write(batch) }
    }

    // MARK: Encoding

    /// The last of `count` new ids of `counter` (not yet written: the caller's batch does that).
    private func nextID(_ counter: [UInt8], count: Int) throws -> UInt64 {
        (try store.get(counter, in: .metadata).flatMap(KeyCoding.decodeBigEndian) ?? 0) + UInt64(count)
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(value))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ bytes: [UInt8]) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw StorageError.corruptValue(key: "webhook \(type)", reason: "\(error)")
        }
    }
}
