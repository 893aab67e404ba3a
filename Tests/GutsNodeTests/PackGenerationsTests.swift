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
}
