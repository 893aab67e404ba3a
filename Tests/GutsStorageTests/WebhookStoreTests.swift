import Foundation
import Testing
@testable import GutsStorage

@Suite struct WebhookStoreTests {
    @Test func queuedDeliveriesSurviveReopeningTheDatabase() throws {
        let directory = try TemporaryDirectory()
        var storage = try Storage.open(dataDirectory: directory.path + "/db")
        let repository = try storage.repositories.create(name: "acme/hooks")
        var store = WebhookStore(store: storage.store)
        let hook = try store.createHook(repositoryID: repository.id, url: "https://ci.example/hook", contentType: "json", secret: "s",
                                       events: ["push"], active: true)
        var event = WriteBatch()
        try WebhookStore.enqueue(WebhookEvent(repositoryID: repository.id, refs: [.init(name: "refs/heads/main", before: "0", after: "1")],
                                              pusher: "ci", pushedAt: Date()), in: &event)
        try storage.store.write(event)
        let pending = try store.pendingEvents(limit: 10)
        #expect(pending.count == 1)
        let delivery = WebhookDelivery(id: 0, guid: "g", hookID: hook.id, repositoryID: repository.id, event: "push", createdAt: Date())
        let stored = try store.enqueue([(delivery, Array("{}".utf8)), (delivery, Array("[]".utf8))], replacingEvent: pending[0].key)
        #expect(stored.map(\.id) == [1, 2])
        storage.close()

        storage = try Storage.open(dataDirectory: directory.path + "/db")
        defer { storage.close() }
        store = WebhookStore(store: storage.store)
        #expect(try store.pendingEvents(limit: 10).isEmpty, "the event became deliveries")
        #expect(try store.queued().map(\.id) == [1, 2])
        #expect(try store.payload(deliveryID: 2) == Array("[]".utf8))
        var done = stored[0]
        done.state = .delivered
        try store.record(done, lastResponse: .init(code: 200, status: "active", message: nil))
        #expect(try store.queued().map(\.id) == [2])
        #expect(try store.deliveries(repositoryID: repository.id, hookID: hook.id, limit: 10).map(\.id) == [2, 1], "newest first")
        #expect(try store.hook(repositoryID: repository.id, id: hook.id)?.lastResponse?.code == 200)

        try storage.repositories.delete(name: "acme/hooks")
        #expect(try store.queued().isEmpty && store.payload(deliveryID: 2) == nil)
        #expect(try store.hooks(repositoryID: repository.id).isEmpty)
    }
}
