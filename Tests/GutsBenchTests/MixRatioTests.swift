import Testing
@testable import GutsBench

@Suite struct MixRatioTests {
    @Test func parsesWeightsAndSplitsTheRate() throws {
        let ratio = try MixRatio(parsing: "reads=90, fetches=5,pushes=3,clones=2")
        #expect(ratio == MixRatio.standard)
        #expect(ratio.rate(of: .reads, total: 50) == 45)
        #expect(ratio.rate(of: .clones, total: 50) == 1)
        #expect(ratio.description == "reads=90,clones=2,fetches=5,pushes=3")
        let readsOnly = try MixRatio(parsing: "reads=1,pushes=0")
        #expect(readsOnly.rate(of: .reads, total: 7) == 7 && readsOnly.rate(of: .pushes, total: 7) == 0)
        #expect(readsOnly.description == "reads=1")
    }

    @Test(arguments: ["", "reads", "reads=", "reads=x", "reads=-1", "writes=3", "reads=1,reads=2", "reads=0,clones=0", "reads=inf", "reads=1,"])
    func rejectsMalformedMixes(_ text: String) {
        #expect(throws: BenchError.self) { try MixRatio(parsing: text) }
    }

    @Test func linearTrendFindsTheSlope() throws {
        let exact = try #require(LinearTrend([(0, 1), (1, 3), (2, 5), (3, 7)]))
        #expect(exact.slope == 2 && exact.intercept == 1 && exact.rSquared == 1 && exact.mean == 4)
        #expect(exact.relativeChange(over: 3) == 1.5)
        let flat = try #require(LinearTrend([(0, 5), (1, 5), (2, 5)]))
        #expect(flat.slope == 0 && flat.rSquared == 0)
        let noisy = try #require(LinearTrend([(0, 10), (1, 12), (2, 9), (3, 13), (4, 11)]))
        #expect(noisy.slope > 0 && noisy.rSquared < 0.5)
        #expect(LinearTrend([(1, 2)]) == nil)
        #expect(LinearTrend([(1, 2), (1, 3)]) == nil)
    }

    @Test func rocksDBSizeSumsSSTAndMemtablesOfEveryColumnFamily() {
        let page = """
            # HELP guts_rocksdb_sst_bytes RocksDB property rocksdb.total-sst-files-size.
            guts_rocksdb_sst_bytes{cf="objects"} 1000
            guts_rocksdb_sst_bytes{cf="refs"} 24
            guts_rocksdb_memtable_bytes{cf="objects"} 500
            guts_rocksdb_live_data_bytes{cf="objects"} 9999
            """
        #expect(MixWorkload.rocksDBBytes(metrics: page) == 1524)
        #expect(MixWorkload.rocksDBBytes(metrics: "guts_http_requests_total 3") == nil)
    }
}
