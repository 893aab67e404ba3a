import Dispatch
import Foundation
import GutsTestSupport
import GutsGit
import GutsStorage
import Testing
@testable import GutsNode

/// Identical concurrent fetches share one pack generation.
@Suite struct PackGenerationsTests {
    @Test func identicalRequestsShareOneGenerationAndGetIdenticalPacks() async throws {
        let storage = Storage.inMemory()
        let repository = try storage.repositories.create(name: "acme/shared")
        let objects = storage.objects(repository)
        let ids = try (0..<50).map { try objects.put(.blob, body: Array("blob \($0)\n".utf8) + [UInt8](repeating: UInt8($0), count: 5000)) }
        let directory = try Shell.temporaryDirectory("generations")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let generations = PackGenerations(directory: directory, pool: BlockingPool(threads: 2, queueLimit: 16))
        let gate = DispatchSemaphore(value: 0)
        let request = try FetchRequest.parseVersion2(arguments: ids.prefix(3).map { "want \($0.hex)" })
        let job = PackJob(key: .init(repositoryID: repository.id, request: request, common: [])) {
            gate.wait()
            return PackProducer(ids: ids, objects: objects)
        }
        let first = generations.join(job)
        let second = generations.join(job)
        #expect(first === second)
        #expect(generations.statistics.misses == 1)
        #expect(generations.statistics.hits == 1)
        #expect(generations.statistics.entries == 1)
        gate.signal()

        func readAll(_ generation: SharedPackGeneration) async throws -> [UInt8] {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: generation.path))
            defer { try? handle.close() }
            var bytes = [UInt8]()
            while let chunk = try await generation.read(from: bytes.count, handle: handle, maxBytes: 4096) { bytes += chunk }
            return bytes
        }
        async let a = readAll(first)
        async let b = readAll(second)
        let (packA, packB) = try await (a, b)
        #expect(packA == packB)
        #expect(await first.objectCount() == ids.count)
        var seen = Set<ObjectID>()
        _ = try PackReader(bytes: packA).readObjects(externalBase: { _ in nil }) { seen.insert($0.id) }
        #expect(seen == Set(ids))

        first.release()
        #expect(FileManager.default.fileExists(atPath: first.path))
        second.release()
        #expect(!FileManager.default.fileExists(atPath: first.path))
        let third = generations.join(job)
        defer { third.release() }
        #expect(third !== first)
        #expect(generations.statistics.misses == 2)
    }

    /// Finished packs are served again from the pack cache until the budget evicts them.
    @Test func finishedPacksAreReusedUntilEvicted() async throws {
        let storage = Storage.inMemory()
        let repository = try storage.repositories.create(name: "acme/cached")
        let objects = storage.objects(repository)
        let ids = try (0..<20).map { try objects.put(.blob, body: Array("cached \($0)\n".utf8) + (0..<3000).map { _ in UInt8.random(in: 0...255) }) }
        let directory = try Shell.temporaryDirectory("pack-cache")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func job(_ count: Int) throws -> PackJob {
            let request = try FetchRequest.parseVersion2(arguments: ids.prefix(count).map { "want \($0.hex)" })
            return PackJob(key: .init(repositoryID: repository.id, request: request, common: [])) {
                PackProducer(ids: Array(ids.prefix(count)), objects: objects)
            }
        }
        func readAll(_ generation: SharedPackGeneration) async throws -> [UInt8] {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: generation.path))
            defer { try? handle.close() }
            var bytes = [UInt8]()
            while let chunk = try await generation.read(from: bytes.count, handle: handle, maxBytes: 4096) { bytes += chunk }
            return bytes
        }
        // Room for one of these packs (about 60 KB each), not two.
        let generations = PackGenerations(directory: directory, pool: BlockingPool(threads: 2, queueLimit: 16), cacheBytes: 100_000)
        let first = generations.join(try job(20))
        let pack = try await readAll(first)
        first.release()
        #expect(FileManager.default.fileExists(atPath: first.path), "the cache keeps the finished pack")
        #expect(generations.cacheStatistics.entries == 1)
        #expect(generations.cacheStatistics.bytes == pack.count)

        let again = generations.join(try job(20))
        #expect(again === first)
        #expect(try await readAll(again) == pack)
        again.release()
        #expect(generations.statistics.misses == 1, "no second generation started")
        #expect(generations.cacheStatistics.hits == 1)

        let other = generations.join(try job(19))
        #expect(other !== first)
        _ = try await readAll(other)
        other.release()
        #expect(generations.cacheStatistics.evictions == 1)
        #expect(!FileManager.default.fileExists(atPath: first.path), "an evicted pack's file goes once no reader holds it")
        #expect(FileManager.default.fileExists(atPath: other.path))
        let regenerated = generations.join(try job(20))
        defer { regenerated.release() }
        #expect(regenerated !== first)
        #expect(try await readAll(regenerated) == pack, "the same request gives the same bytes")
    }
}
