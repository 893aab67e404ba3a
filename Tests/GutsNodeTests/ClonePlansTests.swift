import Foundation
import GutsGit
import GutsStorage
import Testing
@testable import GutsNode

/// Full clones after a push start from the last clone's objects, and only when every old
/// want is still reached: the result always equals a whole walk.
@Suite struct ClonePlansTests {
    static func plan(_ storage: Storage, wants: [ObjectID], plans: ClonePlans?) throws -> Set<ObjectID> {
        let repository = try #require(try storage.repositories.get(name: "o/r"))
        let handle = RepositoryHandle(repository: repository, storage: storage)
        let request = try FetchRequest.parseVersion2(arguments: wants.map { "want \($0.hex)" })
        let objects = try FetchPlanner(repository: handle, clonePlans: plans).plan(for: request, common: [], shallowUpdate: .init()).objects
        #expect(objects.count == Set(objects).count, "no object is planned twice")
        return Set(objects)
    }

    @Test func aFastForwardReusesThePlanAndADeletedBranchDoesNot() throws {
        let storage = Storage.inMemory()
        let main = ReceivePackTests.history(12, label: "main")
        let topic = ReceivePackTests.history(3, label: "secret", parent: main.tip)
        #expect(try ReceivePackTests.push(storage, [
            RefCommand(old: .zero, new: main.tip, name: "refs/heads/main"),
            RefCommand(old: .zero, new: topic.tip, name: "refs/heads/topic"),
        ], objects: main.objects + topic.objects).succeeded)
        let plans = ClonePlans()

        let first = try Self.plan(storage, wants: [main.tip, topic.tip], plans: plans)
        #expect(first == Set((main.objects + topic.objects).map(\.id)))
        let repositoryID = try #require(try storage.repositories.get(name: "o/r")).id
        #expect(plans.plan(for: repositoryID)?.objects.count == first.count)

        // main moves forward: the next clone walks only the new commits and reuses the rest.
        let more = ReceivePackTests.history(4, label: "more", parent: main.tip)
        #expect(try ReceivePackTests.push(storage, [RefCommand(old: main.tip, new: more.tip, name: "refs/heads/main")], objects: more.objects).succeeded)
        let second = try Self.plan(storage, wants: [more.tip, topic.tip], plans: plans)
        #expect(second == (try Self.plan(storage, wants: [more.tip, topic.tip], plans: nil)))
        #expect(second == first.union(more.objects.map(\.id)))
        #expect(plans.plan(for: repositoryID)?.wants == [more.tip, topic.tip].sorted())

        // topic is deleted: its objects are reached by no want, so the plan is not reused.
        let third = try Self.plan(storage, wants: [more.tip], plans: plans)
        #expect(third == (try Self.plan(storage, wants: [more.tip], plans: nil)))
        for object in topic.objects { #expect(!third.contains(object.id), "a deleted branch's objects stay out of clones") }
    }

    @Test func reuseNeedsEveryOldWantReached() throws {
        let plan = ClonePlans.Plan(wants: [ObjectID(hex: String(repeating: "a", count: 40))!], objects: [])
        let old = plan.wants[0]
        let new = ObjectID(hex: String(repeating: "b", count: 40))!
        #expect(try ClonePlans.canReuse(plan, for: [old, new]) { _, _ in false })
        #expect(try ClonePlans.canReuse(plan, for: [new]) { $0 == old && $1 == new })
        #expect(try !ClonePlans.canReuse(plan, for: [new]) { _, _ in false })
        #expect(try !ClonePlans.canReuse(plan, for: [new], isAncestor: { _, _ in true }, maxChecks: 0))
    }
}
