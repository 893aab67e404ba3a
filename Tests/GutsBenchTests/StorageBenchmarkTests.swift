import Foundation
@testable import GutsBench
import GutsStorage
import GutsTestSupport
import Testing

@Suite struct StorageBenchmarkTests {
    /// Checks the benchmark runs and reports consistent rows; makes no timing claims.
    @Test func benchmarkProducesRowsForBothPaths() throws {
        let directory = try Shell.temporaryDirectory("storage-benchmark")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let results = try StorageBenchmark.run(dataDirectory: directory, objectSizes: [1024, 64 * 1024], count: 5)
        #expect(results.count == 8)
        #expect(Set(results.map(\.path)) == ["ObjectStore", "rocksdb"])
        for result in results {
            #expect(result.count == 5)
            #expect(result.seconds > 0)
            #expect(result.opsPerSecond > 0)
            #expect((result.overheadRatio != nil) == (result.path == "ObjectStore"))
        }
        let storage = try Storage.open(dataDirectory: directory)
        defer { storage.close() }
        #expect(try storage.repositories.list(limit: 10).isEmpty, "the benchmark cleans up")
        #expect(try storage.store.scan(prefix: Array("raw/".utf8), in: .objects).isEmpty)
    }
}
