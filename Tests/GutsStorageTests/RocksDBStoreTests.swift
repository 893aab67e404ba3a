import Foundation
import Testing
@testable import GutsGit
@testable import GutsStorage

@Suite struct RocksDBStoreTests {
    @Test func dataSurvivesCloseAndReopen() throws {
        let directory = try TemporaryDirectory()
        let storage = try Storage.open(dataDirectory: directory.path)
        let repository = try storage.repositories.create(name: "alice/project")
        let blob = try storage.objects(repository).put(.blob, body: Array("hello\n".utf8))
        try storage.refs(repository).transaction([RefUpdate(name: "refs/heads/main", expected: nil, new: blob)])
        storage.close()

        let reopened = try Storage.open(dataDirectory: directory.path)
        defer { reopened.close() }
        let again = try #require(try reopened.repositories.get(name: "alice/project"))
        #expect(again == repository)
        #expect(try reopened.objects(again).load(blob)?.body == Array("hello\n".utf8))
        #expect(try reopened.refs(again).get("refs/heads/main") == blob)
        #expect(try reopened.refs(again).head() == "refs/heads/main")
        #expect(reopened.refs(again).resolveHead() == blob)
        #expect(reopened.schemaVersion == Storage.currentSchemaVersion)
    }

    @Test func batchAppliesAllOperationsTogether() throws {
        let directory = try TemporaryDirectory()
        let store = try RocksDBStore(path: directory.path)
        defer { store.close() }
        try store.put([1], [1], in: .objects)
        var batch = WriteBatch()
        batch.put([2], [2], in: .objects)
        batch.put([3], [3], in: .refs)
        batch.delete([1], in: .objects)
        try store.write(batch)
        #expect(try store.get([1], in: .objects) == nil)
        #expect(try store.get([2], in: .objects) == [2])
        #expect(try store.get([3], in: .refs) == [3])
        #expect(try store.get([3], in: .objects) == nil, "families are separate")

        store.close()
        #expect(throws: StorageError.closed) { try store.write(batch) }
        #expect(throws: StorageError.closed) { try store.get([2], in: .objects) }
    }

    @Test func scanHonoursPrefixCursorAndLimit() throws {
        let directory = try TemporaryDirectory()
        let stores: [any KeyValueStore] = [try RocksDBStore(path: directory.path), MemoryStore()]
        for store in stores {
            defer { store.close() }
            for key: [UInt8] in [[1, 1], [1, 2], [1, 3], [2, 0], [0, 9]] {
                try store.put(key, key, in: .metadata)
            }
            #expect(try store.scan(prefix: [1], in: .metadata).map(\.key) == [[1, 1], [1, 2], [1, 3]])
            #expect(try store.scan(prefix: [1], in: .metadata, startingAfter: [1, 1]).map(\.key) == [[1, 2], [1, 3]])
            #expect(try store.scan(prefix: [1], in: .metadata, limit: 2).map(\.key) == [[1, 1], [1, 2]])
            var batch = WriteBatch()
            batch.deletePrefix([1], in: .metadata)
            try store.write(batch)
            #expect(try store.scan(prefix: [], in: .metadata).map(\.key) == [[0, 9], [2, 0]])
        }
    }

    @Test func propertiesCompactionAndStatistics() throws {
        let directory = try TemporaryDirectory()
        let store = try RocksDBStore(path: directory.path)
        defer { store.close() }
        for index in 0..<1000 {
            try store.put(KeyCoding.bigEndian(UInt64(index)), [UInt8](repeating: 7, count: 100), in: .objects)
        }
        try store.flush()
        try store.compact(.objects)
        try store.compact(nil)
        #expect(store.property("rocksdb.num-files-at-level0", in: .objects) != nil)
        #expect(UInt64(store.property("rocksdb.estimate-live-data-size", in: .objects) ?? "") ?? 0 > 0)
        #expect(store.property("rocksdb.cur-size-all-mem-tables", in: nil) != nil)
        #expect(store.property("rocksdb.block-cache-usage", in: nil) != nil)
        #expect(store.property("rocksdb.estimate-table-readers-mem", in: .objects) != nil)
        #expect(store.property("rocksdb.no-such-property", in: .objects) == nil)
        #expect(store.statistics()?.contains("rocksdb.block.cache") == true)
        #expect(store.compression[.objects] == RocksDBStore.Compression.none)
        #expect(store.compression[.refs] == .lz4, "Debian's librocksdb links lz4")
    }

    @Test func secondOpenInTheSameProcessGetsAClearError() throws {
        let directory = try TemporaryDirectory()
        let first = try RocksDBStore(path: directory.path)
        defer { first.close() }
        let error = try #require(throws: StorageError.self) { try RocksDBStore(path: directory.path) }
        #expect(error == .dataDirectoryInUse(path: directory.path))
        #expect(error.description == "data directory \(directory.path) is in use by another process (RocksDB LOCK held)")
        #expect(throws: StorageError.dataDirectoryInUse(path: directory.path)) {
            try Storage.open(dataDirectory: directory.path)
        }
    }

    /// RocksDB locks `<dir>/LOCK` with fcntl(F_SETLK); a python child holding a lockf
    /// (also fcntl) lock on it stands in for a second node process.
    @Test func anotherProcessHoldingTheLockGetsAClearError() throws {
        let directory = try TemporaryDirectory()
        try RocksDBStore(path: directory.path).close()
        let lockPath = directory.path + "/LOCK"
        #expect(FileManager.default.fileExists(atPath: lockPath))

        // The child holds the lock until its stdin closes (or 60 s pass), so it cannot
        // outlive the test even behind a wrapper script.
        let child = Process()
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/usr/bin/env"
        child.executableURL = URL(fileURLWithPath: python)
        child.arguments = (python == "/usr/bin/env" ? ["python3"] : []) + [
            "-c",
            "import fcntl,signal,sys\nsignal.alarm(60)\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB)\nprint('locked',flush=True)\nsys.stdin.read()",
            lockPath,
        ]
        let output = Pipe()
        let input = Pipe()
        child.standardOutput = output
        child.standardInput = input
        try child.run()
        var released = false
        func release() {
            guard !released else { return }
            released = true
            try? input.fileHandleForWriting.close()
            child.waitUntilExit()
        }
        defer { release() }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        try #require(line.hasPrefix("locked"), "python child could not lock: \(line)")

        let error = try #require(throws: StorageError.self) { try RocksDBStore(path: directory.path) }
        #expect(error == .dataDirectoryInUse(path: directory.path))
        #expect(throws: StorageError.dataDirectoryInUse(path: directory.path)) {
            try Storage.open(dataDirectory: directory.path)
        }

        release()
        try RocksDBStore(path: directory.path).close()
    }

    @Test func lockMessagesAreRecognised() {
        #expect(RocksDBStore.isLockError("IO error: While lock file: /x/LOCK: Resource temporarily unavailable"))
        #expect(RocksDBStore.isLockError("IO error: lock hold by current process, acquire time 1 acquiring thread 2: /x/LOCK: No locks available"))
        #expect(!RocksDBStore.isLockError("Invalid argument: /x/CURRENT: does not exist (create_if_missing is false)"))
    }

    @Test func missingDirectoryWithoutCreateIsAnError() throws {
        let directory = try TemporaryDirectory()
        var options = RocksDBStore.Options()
        options.createIfMissing = false
        let error = try #require(throws: StorageError.self) { try RocksDBStore(path: directory.path + "/none", options: options) }
        guard case .rocksDB = error else {
            Issue.record("expected a RocksDB error, got \(error)")
            return
        }
    }
}
