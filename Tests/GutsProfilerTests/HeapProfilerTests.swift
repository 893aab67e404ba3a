import Foundation
import GutsTestSupport
import Testing
@testable import GutsProfiler

/// Allocates `totalBytes` in blocks of `blockSize` and keeps them: the known holder of the heap test.
@inline(never)
func holdMemoryForHeapTest(totalBytes: Int, blockSize: Int) -> [UnsafeMutableRawPointer] {
    (0..<(totalBytes / blockSize)).map { _ in
        let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        block.storeBytes(of: 1, as: UInt8.self)
        return block
    }
}

/// Allocates and frees `totalBytes` in blocks of `blockSize`: allocated, never in use.
@inline(never)
func churnMemoryForHeapTest(totalBytes: Int, blockSize: Int) -> Int {
    var checksum = 0
    for _ in 0..<(totalBytes / blockSize) {
        let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        block.storeBytes(of: 7, as: UInt8.self)
        checksum &+= Int(block.load(as: UInt8.self))
        block.deallocate()
    }
    return checksum
}

/// The heap profiler is process-wide, like the allocation sampler: part of the serialized suite.
extension CPUProfilerTests {
    /// 32 MiB held by one function is found at its size (within 20 %); 640 MiB allocated and
    /// freed by another, more samples than the sampler's log holds, shows as allocated only,
    /// with nothing dropped (freed records are recycled); `go tool pprof` reads all four types.
    @Test func heapProfileFindsMemoryHeldByAKnownFunction() throws {
        let heldBytes = 32 << 20, churnedBytes = 640 << 20
        let profiler = HeapProfiler(sampleInterval: 16 << 10, harvestSeconds: 0.05)
        try profiler.start()
        defer { profiler.stop() }
        #expect(throws: ProfilerError.allocationProfileRunning) { try AllocationProfiler.start() }
        let held = holdMemoryForHeapTest(totalBytes: heldBytes, blockSize: 256 << 10)
        defer { for block in held { block.deallocate() } }
        for _ in 0..<40 {
            ProfilerSelfTest.sink &+= UInt64(churnMemoryForHeapTest(totalBytes: churnedBytes / 40, blockSize: 16 << 10))
            _ = profiler.harvest()
        }
        let (profile, statistics) = try profiler.snapshot()
        print("heap test: \(statistics.summary)")
        #expect(statistics.droppedSamples == 0)
        #expect(profile.sampleTypes.map(\.type) == ["alloc_objects", "alloc_space", "inuse_objects", "inuse_space"])

        func total(_ type: String, in function: String) throws -> Int {
            let column = try #require(profile.selecting(type))
            return column.samples.filter { $0.frames.contains { $0.name.contains(function) } }.reduce(0) { $0 + $1.count }
        }
        let heldInUse = try total("inuse_space", in: "holdMemoryForHeapTest")
        #expect(abs(Double(heldInUse) / Double(heldBytes) - 1) < 0.2, "in use \(heldInUse) of \(heldBytes)")
        let heldObjects = try total("inuse_objects", in: "holdMemoryForHeapTest")
        #expect(abs(Double(heldObjects) / Double(heldBytes / (256 << 10)) - 1) < 0.2, "\(heldObjects) objects")
        #expect(try total("inuse_space", in: "churnMemoryForHeapTest") == 0)
        let churned = try total("alloc_space", in: "churnMemoryForHeapTest")
        #expect(abs(Double(churned) / Double(churnedBytes) - 1) < 0.2, "allocated \(churned) of \(churnedBytes)")
        for format in ProfileFormat.allCases {
            #expect(try !format.render(try #require(profile.selecting("inuse_space"))).isEmpty)
        }
        #expect(FoldedStacks.encode(try #require(profile.selecting("inuse_space"))).contains("holdMemoryForHeapTest"))

        guard GoPprof.executable != nil else { return }
        let pprof = try PprofEncoder.encode(profile)
        let inUse = try GoPprof.run(["-sample_index=inuse_space", "-top"], profile: pprof)
        #expect(inUse.status == 0, "\(inUse.output)")
        #expect(inUse.output.contains("Type: inuse_space"))
        #expect(inUse.output.contains("holdMemoryForHeapTest") && !inUse.output.contains("churnMemoryForHeapTest"), "\(inUse.output)")
        let allocated = try GoPprof.run(["-sample_index=alloc_space", "-top"], profile: pprof)
        #expect(allocated.output.contains("Type: alloc_space") && allocated.output.contains("churnMemoryForHeapTest"), "\(allocated.output)")
    }

    @Test func memoryJoinsTheContinuousRing() throws {
        let profiler = ContinuousProfiler(rate: 19, bucketSeconds: 0.2, memoryIntervalSeconds: 0.05,
                                          memoryGauges: { ["test_gauge": 42] })
        try profiler.start()
        Thread.sleep(forTimeInterval: 0.6)
        profiler.stop()
        let timeline = profiler.memoryTimeline(since: 60)
        #expect(timeline.points.count >= 5, "\(timeline.points.count) points")
        #expect(timeline.points.allSatisfy { $0.rss > 0 && $0.inUse > 0 && $0.gauges["test_gauge"] == 42 })
        #expect(timeline.points.first?.seconds == 0)
        #expect(zip(timeline.points, timeline.points.dropFirst()).allSatisfy { $0.seconds < $1.seconds })
        #expect(timeline.startNanos != nil)
        #expect(profiler.memoryTimeline(since: 0.001).points.count <= 1)
    }
}
