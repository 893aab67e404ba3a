import Foundation

/// A CPU-bound function with a distinctive name, for checking that the profiler finds
/// and names hot code (in debug and release builds alike).
///
/// `@inline(never)` keeps it a real frame; `@_optimize(none)` is not used so that the
/// release check covers optimised code. The result feeds `ProfilerSelfTest.sink` so the
/// loop cannot be removed.
@inline(never)
public func hotLoopForProfilerTest(iterations: Int) -> UInt64 {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var index = 0
    while index < iterations {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        state = state &* 0x2545_F491_4F6C_DD1D &+ UInt64(truncatingIfNeeded: index)
        index += 1
    }
    return state
}

/// Runs `hotLoopForProfilerTest` under the CPU profiler and judges the result.
public enum ProfilerSelfTest {
    /// Keeps the hot loop's results observable.
    nonisolated(unsafe) public static var sink: UInt64 = 0

    /// Burns CPU in `hotLoopForProfilerTest` for about `seconds` of wall time; returns
    /// how many calls (of 2,000,000 iterations each) it made.
    @inline(never)
    @discardableResult
    public static func burn(seconds: Double) -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        var accumulator: UInt64 = 0
        var calls = 0
        while Date() < deadline {
            calls += 1
            // The argument depends on the previous result so an optimising build cannot
            // hoist the (pure) call out of the loop.
            accumulator &+= hotLoopForProfilerTest(iterations: 2_000_000 + Int(accumulator & 1))
        }
        sink &+= accumulator
        return calls
    }

    /// Throughput of the hot loop without and with the sampler at `rate`, for the
    /// overhead the profiler adds to CPU-bound work.
    public struct Overhead: Sendable {
        public var callsPerSecondWithout: Double
        public var callsPerSecondWith: Double
        public var statistics: SamplerStatistics?
        /// Relative slowdown, e.g. 0.01 for 1%.
        public var slowdown: Double { callsPerSecondWithout > 0 ? 1 - callsPerSecondWith / callsPerSecondWithout : 0 }
    }

    /// Runs `burn(seconds:)` without the profiler, then with it.
    public static func measureOverhead(seconds: Double = 3, rate: Int = CPUProfiler.defaultRate) throws -> Overhead {
        let without = Double(burn(seconds: seconds)) / seconds
        let (calls, profile) = try CPUProfiler.profile(rate: rate) { burn(seconds: seconds) }
        return Overhead(callsPerSecondWithout: without, callsPerSecondWith: Double(calls) / seconds,
                        statistics: profile.statistics)
    }

    public struct Outcome: Sendable {
        public var profile: Profile
        /// Fraction of samples with `hotLoopForProfilerTest` on the stack.
        public var hotFraction: Double
        /// The name the symbolizer gave the hot function.
        public var hotFrameName: String?
        public var passed: Bool { hotFraction > 0.5 && profile.totalCount >= 10 }
    }

    /// Profiles `burn(seconds:)` at `rate` Hz.
    public static func run(seconds: Double = 1.5, rate: Int = 499) throws -> Outcome {
        let (_, profile) = try CPUProfiler.profile(rate: rate) { burn(seconds: seconds) }
        let isHot: (Profile.Frame) -> Bool = { $0.name.contains("hotLoopForProfilerTest") }
        let name = profile.samples.lazy.flatMap(\.frames).first(where: isHot)?.name
        return Outcome(profile: profile, hotFraction: profile.inclusiveFraction(where: isHot), hotFrameName: name)
    }
}
