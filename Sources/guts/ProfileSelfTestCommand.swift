import ArgumentParser
import Foundation
import GutsProfiler

extension ProfileCommand {
    /// Hidden check used by tests and scripts/profiler-release-check.sh.
    struct SelfTest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "selftest",
            abstract: "Profile a known hot function and check it is found by name.",
            shouldDisplay: false
        )

        @Option(help: "Seconds of hot loop.")
        var seconds: Double = 2

        @Option(help: "CPU samples per second.")
        var rate: Int = 499

        @Flag(help: "Only run the hot loop (a target for guts profile -- profile selftest --workload-only).")
        var workloadOnly = false

        @Flag(help: "Measure hot-loop throughput without and with the sampler at --rate.")
        var overhead = false

        @Flag(help: "Check the allocation profiler instead (with --overhead: allocation throughput with sampling off and on).")
        var alloc = false

        @Option(name: .customLong("alloc-interval"), help: "Mean bytes between allocation samples for --alloc --overhead.")
        var allocInterval: Int = AllocationProfiler.defaultSampleInterval

        func run() async throws {
            if alloc { return try runAllocation() }
            if overhead {
                let result = try ProfilerSelfTest.measureOverhead(seconds: seconds, rate: rate)
                print("without profiler: \(String(format: "%.2f", result.callsPerSecondWithout)) calls/s")
                print("with profiler at \(rate) Hz: \(String(format: "%.2f", result.callsPerSecondWith)) calls/s")
                print("slowdown: \(String(format: "%.2f", result.slowdown * 100))%")
                if let statistics = result.statistics { print("sampler: \(statistics.summary)") }
                return
            }
            if workloadOnly {
                ProfilerSelfTest.burn(seconds: seconds)
                return
            }
            let outcome = try ProfilerSelfTest.run(seconds: seconds, rate: rate)
            let percent = String(format: "%.1f", outcome.hotFraction * 100)
            print("hot frame: \(outcome.hotFrameName ?? "not found")")
            print("hot fraction: \(percent)% of \(outcome.profile.totalCount) samples")
            if let statistics = outcome.profile.statistics { print("sampler: \(statistics.summary)") }
            guard outcome.passed else {
                print("selftest FAILED: hotLoopForProfilerTest does not carry most samples")
                throw ExitCode(1)
            }
            print("selftest passed")
        }

        private func runAllocation() throws {
            guard AllocationProfiler.isAvailable else {
                print("selftest FAILED: malloc is not interposed in this executable")
                throw ExitCode(1)
            }
            if overhead {
                let result = try AllocationSelfTest.measureOverhead(seconds: seconds, sampleInterval: allocInterval)
                print("sampling off: \(String(format: "%.0f", result.allocationsPerSecondOff)) malloc+free/s")
                print("sampling on (1 per \(allocInterval) bytes): \(String(format: "%.0f", result.allocationsPerSecondOn)) malloc+free/s")
                print("slowdown: \(String(format: "%.2f", result.slowdown * 100))%")
                print("sampler: \(result.statistics.summary)")
                return
            }
            let outcome = try AllocationSelfTest.run()
            print("sampler: \(outcome.result.statistics.summary)")
            print("known sites: \(String(format: "%.1f", outcome.knownAllocatedFraction * 100))% of allocated bytes")
            print("kept site in use: ~\(outcome.keptInUseBytes) of \(outcome.keptBytes) bytes; freed site in use: \(outcome.freedInUseBytes) bytes")
            guard outcome.passed else {
                print("selftest FAILED: the known allocation sites are not where the profile puts the bytes")
                throw ExitCode(1)
            }
            print("selftest passed")
        }
    }
}
