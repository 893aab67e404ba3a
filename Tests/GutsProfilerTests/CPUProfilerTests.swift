import Foundation
import GutsTestSupport
import Testing
@testable import GutsProfiler


/// Of the samples taken inside the self-test workload (`burn`), the fraction inside its
/// hot function. `ITIMER_PROF` charges the whole process, so while other suites run in
/// parallel in this test process some samples land on their threads; those are not the
/// workload's and are left out.
func workloadHotFraction(_ profile: Profile) -> (fraction: Double, samples: Int) {
    let workload = profile.samples.filter { $0.frames.contains { $0.name.contains("burn(seconds:") } }
    let total = workload.reduce(0) { $0 + $1.count }
    let hot = workload.filter { $0.frames.contains { $0.name.contains("hotLoopForProfilerTest") } }.reduce(0) { $0 + $1.count }
    return (total == 0 ? 0 : Double(hot) / Double(total), total)
}

/// Tests that use the process-wide sampler run one at a time.
@Suite(.serialized)
struct CPUProfilerTests {
    @Test func hotFunctionCarriesMostSamples() throws {
        let outcome = try ProfilerSelfTest.run(seconds: 1.5, rate: 499)
        let stats = try #require(outcome.profile.statistics)
        print("hot path: \(outcome.hotFrameName ?? "-") \(outcome.hotFraction); \(stats.summary)")
        for (name, count) in outcome.profile.topSelf(limit: 5) { print("  \(count) \(name)") }
        let workload = workloadHotFraction(outcome.profile)
        #expect(workload.samples >= 50)
        #expect(workload.fraction > 0.5)
        let name = try #require(outcome.hotFrameName)
        #expect(name.contains("hotLoopForProfilerTest(iterations:"))
        // The sampler's own frames are never recorded.
        let frames = outcome.profile.samples.flatMap(\.frames)
        #expect(!frames.contains { $0.name.contains("SignalSampler") || $0.name == "__restore_rt" })
        #expect(stats.samples >= outcome.profile.totalCount)
    }

    /// A real profile reads like source: no signatures, thunks or forwarders, closures as
    /// `closure in F`; pprof's `system_name` keeps the full demangled signature.
    @Test func framesReadAsAPersonWritesThem() throws {
        let (_, profile) = try CPUProfiler.profile(rate: 499) { ProfilerSelfTest.burn(seconds: 1) }
        let names = Set(profile.samples.flatMap(\.frames).map(\.name))
        for noise in ["partial apply forwarder", "reabstraction thunk", "@callee_guaranteed", " -> ", "resume partial function", "generic specialization"] {
            #expect(!names.contains { $0.contains(noise) }, "\(noise): \(names.filter { $0.contains(noise) }.prefix(3))")
        }
        #expect(names.contains { $0.hasPrefix("closure in ") && $0.contains("framesReadAsAPersonWritesThem()") }, "\(names.sorted().prefix(40))")
        #expect(names.contains("GutsProfiler.ProfilerSelfTest.burn(seconds:)"))
        let proto = String(decoding: PprofEncoder.encodeProto(profile), as: UTF8.self)
        #expect(proto.contains("ProfilerSelfTest.burn(seconds: Swift.Double)"))
    }

    /// One thread sleeps in one function, another spins in another: wall-clock mode sees both,
    /// under root frames named after their threads; CPU mode sees only the spinner. go tool
    /// pprof reads the wall profile and its thread labels.
    @Test func wallModeSeesTheSleeperAndCPUModeOnlyTheSpinner() throws {
        func profileWorkers(_ mode: CPUProfiler.Mode) throws -> Profile {
            let done = DispatchSemaphore(value: 0)
            let (_, profile) = try CPUProfiler.profile(rate: 199, mode: mode, options: .init(threadRootFrames: true)) {
                for (name, work) in [("wall-sleeper", sleepForWallTest), ("wall-spinner", spinForWallTest)] {
                    // Named from inside: on Linux, Foundation gives the OS thread the name only there.
                    let thread = Thread {
                        Thread.current.name = name
                        _ = work(1.2)
                        done.signal()
                    }
                    thread.start()
                }
                done.wait()
                done.wait()
            }
            return profile
        }
        func samples(_ profile: Profile, in function: String) -> (count: Int, roots: Set<String>) {
            let matching = profile.samples.filter { $0.frames.contains { $0.name.contains(function) } }
            return (matching.reduce(0) { $0 + $1.count }, Set(matching.compactMap(\.frames.first?.name)))
        }
        let wall = try profileWorkers(.wall)
        #expect(wall.mode == .wall)
        let sleeping = samples(wall, in: "sleepForWallTest"), spinning = samples(wall, in: "spinForWallTest")
        // 1.2 s at 199 Hz is up to 240 ticks per thread, fewer on a loaded machine.
        #expect(sleeping.count > 30, "\(wall.topSelf(limit: 8))")
        #expect(spinning.count > 30)
        #expect(sleeping.roots == ["wall-sleeper"] && spinning.roots == ["wall-spinner"], "\(sleeping.roots) \(spinning.roots)")
        #expect(wall.samples.contains { $0.threadName == "wall-sleeper" })

        let cpu = try profileWorkers(.cpu)
        let cpuSpinning = samples(cpu, in: "spinForWallTest").count
        #expect(cpuSpinning > 30)
        #expect(samples(cpu, in: "sleepForWallTest").count * 20 < cpuSpinning, "\(cpu.topSelf(limit: 8))")

        guard GoPprof.executable != nil else { return }
        let (status, text) = try GoPprof.run(["-tags"], profile: try PprofEncoder.encode(wall))
        #expect(status == 0, "\(text)")
        #expect(text.contains("thread: ") && text.contains("wall-sleeper") && text.contains("wall-spinner"), "\(text)")
        #expect(text.contains("thread_id"))
    }

    @Test func startTwiceAndStopWithoutStartFail() throws {
        #expect(throws: ProfilerError.notRunning) { try CPUProfiler.stopRaw() }
        try CPUProfiler.start(rate: 99)
        #expect(throws: ProfilerError.alreadyRunning) { try CPUProfiler.start(rate: 99) }
        _ = try CPUProfiler.stopRaw()
        #expect(!CPUProfiler.isRunning)
        #expect(throws: ProfilerError.invalidRate(0)) { try CPUProfiler.start(rate: 0) }
    }

    @Test(.enabled(if: GoPprof.executable != nil, "go is not installed (apt-get install golang-go): skipping go tool pprof check"))
    func pprofOutputIsReadByGoToolPprof() throws {
        let (_, profile) = try CPUProfiler.profile(rate: 199) { ProfilerSelfTest.burn(seconds: 1) }
        let (status, text) = try GoPprof.run(["-top"], profile: try PprofEncoder.encode(profile))
        print(text.split(separator: "\n").prefix(10).joined(separator: "\n"))
        #expect(status == 0)
        #expect(text.contains("Type: cpu"))
        let flatLine = try #require(text.split(separator: "\n").first { $0.contains("hotLoopForProfilerTest") })
        // The hot function is the top line of `-top`, i.e. the largest flat share.
        let lines = text.split(separator: "\n")
        let header = try #require(lines.firstIndex { $0.contains("flat%") && $0.contains("cum%") })
        #expect(header + 1 < lines.count && lines[header + 1] == flatLine)
    }

    /// High-rate sampling while threads allocate and load and unload shared libraries
    /// (the loader-lock path): must neither hang nor crash.
    @Test(.timeLimit(.minutes(2)))
    func stressWithAllocationAndDlopen() throws {
        let libraries = ["libz.so.1", "libm.so.6", "libbz2.so.1.0", "libexpat.so.1", "liblzma.so.5", "libzstd.so.1", "libffi.so.8"]
        let deadline = Date().addingTimeInterval(3)
        let group = DispatchGroup()
        let counters = Counters()
        try CPUProfiler.start(rate: 1000)
        for worker in 0..<8 {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                var iteration = 0
                var accumulator: UInt64 = 0
                while Date() < deadline {
                    iteration += 1
                    if worker % 2 == 0 {
                        let name = libraries[(iteration + worker) % libraries.count]
                        if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) {
                            _ = dlsym(handle, "zlibVersion")
                            dlclose(handle)
                            counters.add(dlopens: 1)
                        }
                        _ = ModuleMap.current().modules.count
                    }
                    var buffers: [[UInt8]] = []
                    for size in stride(from: 16, to: 200_000, by: 9_973) {
                        buffers.append([UInt8](repeating: UInt8(truncatingIfNeeded: size), count: size))
                    }
                    let pointer = malloc(1 << 20)
                    free(pointer)
                    counters.add(allocations: buffers.count + 1)
                    accumulator &+= hotLoopForProfilerTest(iterations: 2_000 + iteration)
                }
                counters.add(allocations: Int(accumulator & 1))
            }
            thread.start()
        }
        let waited = group.wait(timeout: .now() + 60)
        #expect(waited == .success, "worker threads did not finish: the profiler deadlocked")
        let profile = try CPUProfiler.stop()
        let stats = try #require(profile.statistics)
        print("stress: \(counters.dlopens) dlopen/dlclose, \(counters.allocations) allocations; \(stats.summary)")
        #expect(stats.samples > 100)
        #expect(counters.dlopens > 0)
        #expect(profile.totalCount == stats.samples)
    }

    /// Continuous mode keeps a bounded ring of buckets, dumps windows of it, and holds
    /// the process-wide sampler so a second session is refused meanwhile.
    @Test func continuousProfilerKeepsABoundedRing() throws {
        let continuous = ContinuousProfiler(rate: 499, bucketSeconds: 0.1, retentionSeconds: 0.5)
        try continuous.start()
        #expect(throws: ProfilerError.alreadyRunning) { try CPUProfiler.start() }
        let start = continuous.beginWindow()
        _ = ProfilerSelfTest.burn(seconds: 1.5)
        // Both windows cut at one instant, before symbolizing (whose own CPU time, sampled
        // at 499 Hz, would otherwise fill the later window on a loaded machine).
        continuous.flush()
        let windowRaw = continuous.raw(from: start)
        let recentRaw = continuous.raw(from: CPUProfiler.wallNanos() - 300_000_000)
        let window = Symbolizer().symbolize(windowRaw)
        let recent = Symbolizer().symbolize(recentRaw)
        let status = continuous.status
        continuous.stop()
        #expect(!CPUProfiler.isRunning)
        // Retention 0.5 s in 0.1 s buckets: older buckets were evicted, along with their stacks.
        #expect(status.buckets <= 8, "\(status)")
        #expect(window.totalCount >= recent.totalCount)
        #expect(recent.totalCount > 0)
        #expect(workloadHotFraction(window).fraction > 0.5)
        #expect((window.statistics?.samples ?? 0) >= window.totalCount)
    }

    @Test func symbolizerFallsBackToModuleOffset() {
        let module = LoadedModule(path: "", loaderName: "fake.so", bias: 0x1000_0000,
                                  segments: [.init(start: 0x1000_0000, end: 0x1001_0000, fileOffset: 0, executable: true)],
                                  isMainExecutable: false)
        let raw = RawCPUProfile(stacks: [.init(thread: 1, addresses: [0x1000_0123, 0x1000_0457]): 3],
                                statistics: SamplerStatistics(samples: 3), periodNanos: 10_000_000)
        let profile = Symbolizer().symbolize(raw, modules: ModuleMap(modules: [module]))
        #expect(profile.samples.count == 1)
        // Root first; return addresses are looked up one byte earlier but reported as is.
        #expect(profile.samples[0].frames.map(\.name) == ["fake.so+0x456", "fake.so+0x123"])
        #expect(profile.samples[0].count == 3)
    }
}

final class Counters: @unchecked Sendable {
    private let lock = NSLock()
    private var dlopenCount = 0
    private var allocationCount = 0

    var dlopens: Int { lock.withLock { dlopenCount } }
    var allocations: Int { lock.withLock { allocationCount } }

    func add(dlopens: Int = 0, allocations: Int = 0) {
        lock.withLock {
            dlopenCount += dlopens
            allocationCount += allocations
        }
    }
}

// MARK: - Allocation profiler

/// The allocation sampler is process-wide: its tests are part of the serialized
/// `CPUProfilerTests` and declared after the CPU tests (which run in source order), so
/// the allocation churn neither overlaps nor delays the hot-path measurement.
extension CPUProfilerTests {
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
        let deadline = Date().addingTimeInterval(2.5)
        let workers = (0..<2).map { seed in
            Thread.detachNewThreadWithResult(seed: UInt64(seed + 1), until: deadline)
        }
        var sessions = 0
        var samples = 0
        while Date() < deadline {
            // Small intervals, but not so small that every thread of the suites running in
            // parallel (which are sampled too) spends its time unwinding.
            try AllocationProfiler.start(sampleInterval: 16384 + sessions % 3 * 16384)
            try await Task.sleep(nanoseconds: 40_000_000)
            let raw = try AllocationProfiler.stopRaw()
            samples += raw.statistics.samples
            sessions += 1
        }
        var operations = 0
        for worker in workers { operations += await worker.value }
        print("allocation churn: \(operations) operations, \(sessions) sessions, \(samples) samples")
        #expect(sessions >= 2)
        #expect(samples > 100)
        #expect(operations > 100_000)
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
                        // Leave the (two) cores room for tests running in parallel.
                        usleep(1000)
                    }
                    for block in live { free(block) }
                    continuation.resume(returning: operations)
                }
                thread.start()
            }
        }
    }
}

/// Sleeps in short naps until `seconds` have passed (a signal may cut a nap short).
@inline(never)
func sleepForWallTest(_ seconds: Double) -> Int {
    let end = Date().addingTimeInterval(seconds)
    var naps = 0
    while Date() < end {
        usleep(20_000)
        naps += 1
    }
    return naps
}

/// Spins on the CPU until `seconds` have passed.
@inline(never)
func spinForWallTest(_ seconds: Double) -> Int {
    let end = Date().addingTimeInterval(seconds)
    var turns = 0
    while Date() < end {
        turns = turns &+ Int(hotLoopForProfilerTest(iterations: 10_000) & 1)
    }
    return turns
}
