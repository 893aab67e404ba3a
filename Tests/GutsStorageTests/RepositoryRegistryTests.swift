import Testing
@testable import GutsGit
@testable import GutsStorage

@Suite struct RepositoryRegistryTests {
    func reason(_ name: String) -> String? {
        do {
            try RepositoryName.validate(name)
            return nil
        } catch StorageError.invalidRepositoryName(let rejected, let reason) {
            #expect(rejected == name)
            return reason
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func eachNamingRuleHasItsOwnReason() throws {
        #expect(reason("alice/project") == nil)
        #expect(reason("A-b_c.d/x.y-z_9") == nil)
        let cases: [(String, String)] = [
            ("project", "must be owner/name with exactly one '/'"),
            ("a/b/c", "must be owner/name with exactly one '/'"),
            ("/project", "owner is empty"),
            ("alice/", "name is empty"),
            ("alice/pro ject", "name may contain only ASCII letters, digits, '-', '_' and '.'"),
            ("al!ce/project", "owner may contain only ASCII letters, digits, '-', '_' and '.'"),
            ("alice/é", "name may contain only ASCII letters, digits, '-', '_' and '.'"),
            (".alice/project", "owner must not start with '.'"),
            ("alice/.project", "name must not start with '.'"),
            ("alice/a..b", "name must not contain '..'"),
            (String(repeating: "o", count: 101) + "/x", "owner is longer than 100 characters"),
            ("alice/" + String(repeating: "n", count: 101), "name is longer than 100 characters"),
            ("alice/project.git", "name must not end with '.git'"),
            ("api/project", "owner 'api' is reserved"),
            ("Metrics/project", "owner 'Metrics' is reserved"),
        ]
        for (name, expected) in cases {
            #expect(reason(name) == expected, "\(name)")
        }
        #expect(reason(String(repeating: "o", count: 100) + "/" + String(repeating: "n", count: 100)) == nil)
        for owner in RepositoryName.reservedOwners {
            #expect(reason("\(owner)/x") == "owner '\(owner)' is reserved")
        }
        let error = StorageError.invalidRepositoryName("alice/x.git", reason: "name must not end with '.git'")
        #expect(error.description == "invalid repository name 'alice/x.git': name must not end with '.git'")
    }

    @Test func createGetListRenameUpdate() throws {
        let storage = Storage.inMemory()
        let registry = storage.repositories
        let first = try registry.create(name: "carol/zeta", description: "z")
        let second = try registry.create(name: "alice/alpha", isPrivate: true, defaultBranch: "trunk")
        let third = try registry.create(name: "bob/beta")
        #expect([first.id, second.id, third.id] == [1, 2, 3])
        #expect(second.fullName == "alice/alpha" && second.owner == "alice" && second.name == "alpha")
        #expect(second.isPrivate && second.allowForcePush)
        #expect(try storage.refs(second).head() == "refs/heads/trunk")
        #expect(throws: StorageError.repositoryExists("bob/beta")) { try registry.create(name: "bob/beta") }
        #expect(try registry.get(name: "bob/beta") == third)
        #expect(try registry.get(id: 1) == first)
        #expect(try registry.get(name: "nobody/here") == nil)

        #expect(try registry.list(limit: 10).map(\.fullName) == ["alice/alpha", "bob/beta", "carol/zeta"])
        #expect(try registry.list(limit: 2).map(\.fullName) == ["alice/alpha", "bob/beta"])
        #expect(try registry.list(after: "bob/beta", limit: 2).map(\.fullName) == ["carol/zeta"])

        let blob = try storage.objects(third).put(.blob, body: [1, 2, 3])
        try storage.refs(third).transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: blob)])
        let renamed = try registry.rename(from: "bob/beta", to: "dave/gamma")
        #expect(renamed.id == third.id && renamed.fullName == "dave/gamma")
        #expect(try registry.get(name: "bob/beta") == nil)
        #expect(try registry.get(name: "dave/gamma") == renamed)
        #expect(try storage.objects(renamed).load(blob)?.body == [1, 2, 3])
        #expect(try storage.refs(renamed).get("refs/heads/main") == blob)
        #expect(throws: StorageError.repositoryExists("alice/alpha")) { try registry.rename(from: "dave/gamma", to: "alice/alpha") }
        #expect(throws: StorageError.repositoryNotFound("bob/beta")) { try registry.rename(from: "bob/beta", to: "bob/x") }

        var changed = renamed
        changed.description = "now described"
        changed.allowForcePush = false
        changed.defaultBranch = "develop"
        try registry.update(changed)
        #expect(try registry.get(id: changed.id) == changed)
        #expect(try storage.refs(changed).head() == "refs/heads/develop")
        let fourth = try registry.create(name: "erin/delta")
        #expect(fourth.id == 4, "ids are never reused")
    }

    @Test func repositoriesCannotReadEachOthersData() throws {
        let storage = Storage.inMemory()
        let a = try storage.repositories.create(name: "team/a")
        let b = try storage.repositories.create(name: "team/b")
        let id = try storage.objects(a).put(.blob, body: Array("secret".utf8))
        try storage.refs(a).transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: id)])
        #expect(try storage.objects(a).contains(id))
        #expect(try storage.objects(b).get(id) == nil)
        #expect(try storage.objects(b).contains(id) == false)
        #expect(try storage.refs(b).get("refs/heads/main") == nil)
        #expect(try storage.refs(b).list().isEmpty)
        #expect(try storage.objects(b).count() == 0)
        #expect(try storage.objects(a).count() == 1)
    }

    @Test func deleteRemovesObjectsAndRefs() throws {
        let directory = try TemporaryDirectory()
        let storage = try Storage.open(dataDirectory: directory.path)
        defer { storage.close() }
        let doomed = try storage.repositories.create(name: "team/doomed")
        let kept = try storage.repositories.create(name: "team/kept")
        let ids = try storage.objects(doomed).putBatch([(.blob, [1]), (.blob, [2]), (.tree, [])])
        let keptID = try storage.objects(kept).put(.blob, body: [1])
        #expect(ids.contains(keptID), "same content, same id in both repositories")
        try storage.refs(doomed).transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: ids[0])])
        try storage.refs(kept).transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: keptID)])
        _ = try storage.objects(doomed).get(ids[0])  // warm the cache

        try storage.repositories.delete(name: "team/doomed")
        #expect(try storage.repositories.get(name: "team/doomed") == nil)
        #expect(try storage.repositories.get(id: doomed.id) == nil)
        #expect(try storage.objects(doomed).count() == 0)
        for id in ids { #expect(try storage.objects(doomed).get(id) == nil) }
        #expect(try storage.refs(doomed).list().isEmpty)
        #expect(try storage.refs(doomed).head() == nil)
        #expect(try storage.objects(kept).load(keptID)?.body == [1])
        #expect(try storage.refs(kept).get("refs/heads/main") == keptID)
        #expect(throws: StorageError.repositoryNotFound("team/doomed")) { try storage.repositories.delete(name: "team/doomed") }
    }

    @Test func schemaVersionIsWrittenAndCanMoveForward() throws {
        let directory = try TemporaryDirectory()
        var storage = try Storage.open(dataDirectory: directory.path)
        #expect(storage.schemaVersion == Storage.currentSchemaVersion)
        #expect(storage.objects(try storage.repositories.create(name: "t/new")).storesDeltas)
        try storage.setSchemaVersion(1)
        storage.close()
        storage = try Storage.open(dataDirectory: directory.path)
        #expect(storage.schemaVersion == 1)
        #expect(!storage.objects(try #require(try storage.repositories.get(name: "t/new"))).storesDeltas, "schema 1 readers know whole objects only")
        try storage.setSchemaVersion(Storage.currentSchemaVersion + 1)
        storage.close()
        #expect(throws: StorageError.unsupportedSchemaVersion(found: Storage.currentSchemaVersion + 1, supported: Storage.currentSchemaVersion)) {
            try Storage.open(dataDirectory: directory.path)
        }
        // A failed open must release the lock.
        let raw = try RocksDBStore(path: directory.path)
        raw.close()
    }

    /// The in-memory records and list never outlive a change: every read after a create,
    /// update, rename or delete sees it, including reads served from memory.
    @Test func cachedRecordsFollowEveryChange() throws {
        let storage = Storage.inMemory()
        let registry = storage.repositories
        try registry.create(name: "team/b")
        #expect(try registry.list(limit: 10).map(\.fullName) == ["team/b"])
        #expect(registry.isListCached)
        #expect(try registry.get(name: "team/b")?.isPrivate == false)
        #expect(registry.cached(name: "team/b") != nil)

        try registry.create(name: "team/a")
        #expect(try registry.list(limit: 10).map(\.fullName) == ["team/a", "team/b"])
        #expect(try registry.list(after: "team/a", limit: 10).map(\.fullName) == ["team/b"])
        try registry.modify(name: "team/b") { $0.isPrivate = true }
        #expect(try registry.get(name: "team/b")?.isPrivate == true)
        #expect(try registry.list(limit: 10).last?.isPrivate == true)
        try registry.rename(from: "team/b", to: "team/c")
        #expect(try registry.get(name: "team/b") == nil)
        #expect(try registry.list(limit: 10).map(\.fullName) == ["team/a", "team/c"])
        try registry.delete(name: "team/a")
        #expect(try registry.get(name: "team/a") == nil)
        #expect(try registry.list(limit: 10).map(\.fullName) == ["team/c"])
        #expect(try registry.list(after: "team/c", limit: 10).isEmpty)
    }
}
