import Foundation

/// Allocates `totalBytes` in blocks of `blockSize` and frees each block at once: a
/// known allocation site, for checking that the allocation profiler finds and names it
/// (and that freed memory is absent from the in-use profile). Returns a checksum so the
/// work cannot be removed.
@inline(never)
public func allocateAndFreeForProfilerTest(totalBytes: Int, blockSize: Int) -> Int {
    var checksum = 0
    var allocated = 0
    while allocated < totalBytes {
        let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        block.storeBytes(of: UInt8(truncatingIfNeeded: allocated), as: UInt8.self)
        checksum &+= Int(block.load(as: UInt8.self))
        block.deallocate()
        allocated += blockSize
    }
    return checksum
}

/// Allocates `totalBytes` in blocks of `blockSize` and returns them, still allocated.
@inline(never)
public func allocateAndKeepForProfilerTest(totalBytes: Int, blockSize: Int) -> [UnsafeMutableRawPointer] {
    var blocks: [UnsafeMutableRawPointer] = []
    blocks.reserveCapacity(totalBytes / blockSize + 1)
    var allocated = 0
    while allocated < totalBytes {
        let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
        block.storeBytes(of: UInt8(truncatingIfNeeded: allocated), as: UInt8.self)
        blocks.append(block)
        allocated += blockSize
    }
    return blocks
}

/// Runs the known allocation sites under the allocation profiler and judges the result.
public enum AllocationSelfTest {
    public struct Outcome: Sendable {
        public var result: AllocationProfiler.Result
        public var freedBytes: Int
        public var keptBytes: Int
        /// Share of allocated bytes attributed to the two known functions.
        public var knownAllocatedFraction: Double
        /// Share of in-use bytes attributed to `allocateAndKeepForProfilerTest`.
        public var keptInUseFraction: Double
        /// In-use bytes attributed to `allocateAndFreeForProfilerTest` (should be 0).
        public var freedInUseBytes: Int
        /// Estimated in-use bytes of `allocateAndKeepForProfilerTest`.
        public var keptInUseBytes: Int

        public var passed: Bool {
            knownAllocatedFraction > 0.5 && keptInUseFraction > 0.5 && freedInUseBytes == 0
                && keptInUseBytes > keptBytes / 2 && keptInUseBytes < keptBytes * 2
        }
    }

    /// Frees `freedBytes` and keeps `keptBytes` (freed after stop) in 16 KiB blocks,
    /// sampling once per `sampleInterval` bytes.
    public static func run(freedBytes: Int = 256 << 20, keptBytes: Int = 32 << 20,
                           sampleInterval: Int = 64 << 10) throws -> Outcome {
        var checksum = 0
        var kept: [UnsafeMutableRawPointer] = []
        let (_, result) = try AllocationProfiler.profile(sampleInterval: sampleInterval) {
            checksum = allocateAndFreeForProfilerTest(totalBytes: freedBytes, blockSize: 16 << 10)
            kept = allocateAndKeepForProfilerTest(totalBytes: keptBytes, blockSize: 16 << 10)
        }
        for block in kept { block.deallocate() }
        ProfilerSelfTest.sink &+= UInt64(truncatingIfNeeded: checksum)
        let isFreeSite: (Profile.Frame) -> Bool = { $0.name.contains("allocateAndFreeForProfilerTest") }
        let isKeepSite: (Profile.Frame) -> Bool = { $0.name.contains("allocateAndKeepForProfilerTest") }
        let bytes = { (profile: Profile, predicate: (Profile.Frame) -> Bool) -> Int in
            profile.samples.filter { $0.frames.contains(where: predicate) }.reduce(0) { $0 + $1.count }
        }
        return Outcome(result: result, freedBytes: freedBytes, keptBytes: keptBytes,
                       knownAllocatedFraction: result.allocated.inclusiveFraction { isFreeSite($0) || isKeepSite($0) },
                       keptInUseFraction: result.inUse.inclusiveFraction(where: isKeepSite),
                       freedInUseBytes: bytes(result.inUse, isFreeSite),
                       keptInUseBytes: bytes(result.inUse, isKeepSite))
    }

    /// Allocation throughput (16 KiB and 64-byte blocks) without and with sampling.
    public struct Overhead: Sendable {
        public var allocationsPerSecondOff: Double
        public var allocationsPerSecondOn: Double
        public var statistics: AllocationStatistics
        public var slowdown: Double { allocationsPerSecondOff > 0 ? 1 - allocationsPerSecondOn / allocationsPerSecondOff : 0 }
    }

    @inline(never)
    static func churn(seconds: Double) -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        var count = 0
        var checksum = 0
        while Date() < deadline {
            for _ in 0..<1000 {
                checksum &+= allocateAndFreeForProfilerTest(totalBytes: 64, blockSize: 64)
            }
            count += 1000
        }
        ProfilerSelfTest.sink &+= UInt64(truncatingIfNeeded: checksum)
        return count
    }

    public static func measureOverhead(seconds: Double = 2, sampleInterval: Int = AllocationProfiler.defaultSampleInterval) throws -> Overhead {
        let off = Double(churn(seconds: seconds)) / seconds
        let (count, result) = try AllocationProfiler.profile(sampleInterval: sampleInterval) { churn(seconds: seconds) }
        return Overhead(allocationsPerSecondOff: off, allocationsPerSecondOn: Double(count) / seconds,
                        statistics: result.statistics)
    }
}
