import Testing
@testable import GutsGit
@testable import GutsStorage

/// The handshake between prune and pushes: a ref update whose objects were checked
/// before a prune deleted objects is refused; one checked after goes through.
@Suite struct PruneEpochTests {
    @Test func aTransactionCheckedBeforeADeletionIsRefusedAndAfterItPasses() throws {
        let storage = Storage.inMemory()
        let repository = try storage.repositories.create(name: "team/prune")
        let objects = storage.objects(repository)
        let blob = try objects.put(.blob, body: Array("orphan".utf8))
        let refs = storage.refs(repository)

        let inFlight = Quarantine(storage: storage, repository: repository)
        let nothingDeleted: Int = try storage.deletingObjects { (1, false) }
        #expect(nothingDeleted == 1)
        #expect(storage.pruneEpoch.current == inFlight.pruneEpoch, "a prune that deleted nothing does not disturb pushes")
        try storage.deletingObjects {
            try objects.delete([blob])
            return ((), true)
        }
        #expect(throws: StorageError.objectsPruned) {
            try refs.transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: blob)], objectsCheckedAt: inFlight.pruneEpoch)
        }
        #expect(try refs.get("refs/heads/main") == nil)

        let later = Quarantine(storage: storage, repository: repository)
        let commit = try objects.put(.blob, body: Array("kept".utf8))
        try refs.transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: commit)], objectsCheckedAt: later.pruneEpoch)
        #expect(try refs.get("refs/heads/main") == commit)
    }

    @Test func marksRecordAndClear() throws {
        let storage = Storage.inMemory()
        let repository = try storage.repositories.create(name: "team/marks")
        let marks = storage.pruneMarks(repository)
        let (a, b) = (SHA1.objectID(type: .blob, body: [1]), SHA1.objectID(type: .blob, body: [2]))
        try marks.update(set: [a: 100, b: 200], clear: [])
        #expect(try marks.all() == [a: 100, b: 200])
        try marks.update(set: [:], clear: [a])
        #expect(try marks.all() == [b: 200])
        #expect(try storage.pruneMarks(try storage.repositories.create(name: "team/other")).all().isEmpty)
    }
}
