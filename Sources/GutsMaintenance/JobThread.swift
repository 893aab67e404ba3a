import CSystemSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own for one maintenance job in a running node.
public enum JobThread {
    /// Runs `body` on a new thread, so it holds no thread of the blocking pool or event
    /// loop that requests need. Long jobs run at nice 19: request threads preempt them,
    /// yet they still get the CPU back soon enough not to stall requests on what they
    /// hold. Idle scheduling (`SCHED_IDLE`) let other load starve a job, most likely while
    /// it held a lock request threads wait for (a malloc arena, a cache mutex, the
    /// address-space lock); normal priority left its uninterruptible steps (one value's
    /// inflate and SHA-1) in the requests' way. docs/OPERATIONS.md has the measurements.
    public static func run<Result: Sendable>(nice: Int32 = 19, _ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                if nice != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(guts_gettid()), nice) }
                continuation.resume(with: Swift.Result { try body() })
            }.start()
        }
    }
}
