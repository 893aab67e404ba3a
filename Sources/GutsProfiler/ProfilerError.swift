/// An error from the profiler, with a one-line message.
public enum ProfilerError: Error, CustomStringConvertible, Sendable, Equatable {
    case alreadyRunning
    case notRunning
    case invalidRate(Int)
    case system(call: String, errno: Int32)
    case unwinderSetup(code: Int32)
    case io(path: String, message: String)
    case malformedInput(String)
    case compression(String)
    /// `AllocationProfiler.start` while an allocation profile is being recorded.
    case allocationProfileRunning
    /// `AllocationProfiler.stop` without a session.
    case noAllocationProfile
    /// This executable's malloc is not the sampler's (CAllocSampler not linked in).
    case allocationSamplerUnavailable
    case invalidSampleInterval(Int)

    public var description: String {
        switch self {
        case .alreadyRunning: return "a CPU profile is already being recorded in this process"
        case .notRunning: return "no CPU profile is being recorded"
        case .invalidRate(let rate): return "sampling rate \(rate) Hz is outside 1...10000"
        case .system(let call, let code): return "\(call) failed: errno \(code)"
        case .unwinderSetup(let code): return "libunwind setup failed (\(code))"
        case .io(let path, let message): return "\(path): \(message)"
        case .malformedInput(let message): return "malformed input: \(message)"
        case .compression(let message): return "compression failed: \(message)"
        case .allocationProfileRunning: return "an allocation profile is already being recorded in this process"
        case .noAllocationProfile: return "no allocation profile is being recorded"
        case .allocationSamplerUnavailable: return "allocation sampling is unavailable: malloc is not interposed in this executable"
        case .invalidSampleInterval(let bytes): return "allocation sample interval \(bytes) bytes is outside 1...1073741824"
        }
    }
}
