import NIOCore
import Synchronization

/// Latencies and counts shared by all connections of one load generator run.
final class LoadRecorder: Sendable {
    private struct State {
        var histogram = LatencyHistogram()
        var completed = 0
        var errors = 0
        var issued = 0
    }

    private let state = Mutex(State())
    private let totalRequests: Int?

    init(totalRequests: Int?) {
        self.totalRequests = totalRequests
    }

    /// Claims one request of the total; false once all are claimed.
    func claim() -> Bool {
        state.withLock { state in
            if let totalRequests, state.issued >= totalRequests { return false }
            state.issued += 1
            return true
        }
    }

    func record(nanoseconds: Int64, success: Bool) {
        state.withLock { state in
            if success {
                state.histogram.record(UInt64(max(0, nanoseconds)))
                state.completed += 1
            } else {
                state.errors += 1
            }
        }
    }

    func recordError() {
        state.withLock { $0.errors += 1 }
    }

    var snapshot: (histogram: LatencyHistogram, completed: Int, errors: Int) {
        state.withLock { ($0.histogram, $0.completed, $0.errors) }
    }
}
