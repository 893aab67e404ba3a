import Foundation
import Testing
@testable import GutsProfiler

/// The allocation sampler is process-wide: these tests run one at a time.
@Suite(.serialized)
struct AllocationProfilerTests {
    @Test func mallocIsInterposed() {
        #expect(AllocationProfiler.isAvailable)
    }

    @Test func knownAllocationSiteDominatesAndFreedMemoryIsNotInUse() throws {
        let outcome = try AllocationSelfTest.run()
        print("allocation selftest: \(outcome.result.statistics.summary); known \(outcome.knownAllocatedFraction), "
              + "kept in use \(outcome.keptInUseBytes) of \(outcome.keptBytes), freed in use \(outcome.freedInUseBytes)")
        for (name, count) in outcome.result.allocated.topSelf(limit: 3) { print("  \(count) \(name)") }
        #expect(outcome.result.statistics.samples > 100)
        #expect(outcome.knownAllocatedFraction > 0.5)
        #expect(outcome.keptInUseFraction > 0.5)
        #expect(outcome.freedInUseBytes == 0)
        #expect(outcome.keptInUseBytes > outcome.keptBytes / 2 && outcome.keptInUseBytes < outcome.keptBytes * 2)
        // The sampler's own frames are dropped; the leaf is the interposed allocator.
        let frames = outcome.result.allocated.samples.flatMap(\.frames)
        #expect(!frames.contains { $0.systemName == "record_sample" || $0.name.hasPrefix("unw_") })
        #expect(outcome.result.allocated.valueUnit == .bytes)
        // Every encoder renders it.
        for format in ProfileFormat.allCases {
            #expect(try !format.render(outcome.result.allocated).isEmpty)
        }
        let folded = FoldedStacks.encode(outcome.result.inUse)
        #expect(folded.contains("allocateAndKeepForProfilerTest"))
        #expect(!folded.contains("allocateAndFreeForProfilerTest"))
    }

    @Test func samplingOffRecordsNothing() throws {
        #expect(!AllocationProfiler.isRunning)
        #expect(throws: ProfilerError.noAllocationProfile) { try AllocationProfiler.stopRaw() }
        let checksum = allocateAndFreeForProfilerTest(totalBytes: 64 << 20, blockSize: 16 << 10)
        let kept = allocateAndKeepForProfilerTest(totalBytes: 8 << 20, blockSize: 16 << 10)
        defer { for block in kept { block.deallocate() } }
        ProfilerSelfTest.sink &+= UInt64(truncatingIfNeeded: checksum)
        try AllocationProfiler.start(sampleInterval: 4096)
        #expect(throws: ProfilerError.allocationProfileRunning) { try AllocationProfiler.start() }
        let result = try AllocationProfiler.stopWithStatistics()
        let folded = FoldedStacks.encode(result.allocated) + FoldedStacks.encode(result.inUse)
        #expect(!folded.contains("ForProfilerTest"))
        #expect(result.statistics.allocatedBytes < 8 << 20)
        #expect(throws: ProfilerError.invalidSampleInterval(0)) { try AllocationProfiler.start(sampleInterval: 0) }
    }

    @Test func heavyMultithreadedChurnWhileStartingAndStopping() async throws {
        let deadline = Date().addingTimeInterval(3)
        let workers = (0..<4).map { seed in
            Thread.detachNewThreadWithResult(seed: UInt64(seed + 1), until: deadline)
        }
        var sessions = 0
        var samples = 0
        while Date() < deadline {
            try AllocationProfiler.start(sampleInterval: 1024 + sessions % 3 * 8192)
            try await Task.sleep(nanoseconds: 40_000_000)
            let raw = try AllocationProfiler.stopRaw()
            samples += raw.statistics.samples
            sessions += 1
        }
        var operations = 0
        for worker in workers { operations += await worker.value }
        print("allocation churn: \(operations) operations, \(sessions) sessions, \(samples) samples")
        #expect(sessions > 5)
        #expect(samples > 100)
        #expect(operations > 10_000)
    }
}

extension Thread {
    /// Allocates, reallocates and frees random sizes on a new thread until `deadline`.
    static func detachNewThreadWithResult(seed: UInt64, until deadline: Date) -> Task<Int, Never> {
        Task.detached {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    var state = seed &* 0x9E37_79B9_7F4A_7C15
                    var live: [UnsafeMutableRawPointer?] = Array(repeating: nil, count: 512)
                    var operations = 0
                    while Date() < deadline {
                        for _ in 0..<1000 {
                            state ^= state << 13
                            state ^= state >> 7
                            state ^= state << 17
                            let slot = Int(state % 512)
                            let size = Int((state >> 20) % 65_536) + 1
                            if let block = live[slot] {
                                if state & 0x100 != 0 {
                                    live[slot] = realloc(block, size)
                                } else {
                                    free(block)
                                    live[slot] = nil
                                }
                            } else if state & 0x200 != 0 {
                                live[slot] = calloc(1, size)
                            } else {
                                live[slot] = malloc(size)
                            }
                            operations += 1
                        }
                    }
                    for block in live { free(block) }
                    continuation.resume(returning: operations)
                }
                thread.start()
            }
        }
    }
}
