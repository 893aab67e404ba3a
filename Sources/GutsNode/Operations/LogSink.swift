#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where the node's log lines go: stderr, written in batches.
///
/// Lines at info level and below (the access log, one line per request) are gathered and
/// written together once 32 KiB have gathered or 100 ms have passed: one `write(2)` per
/// request was most of the access log's cost, 6.5% of an API request's CPU (perf, see
/// docs/PERFORMANCE.md). A line at notice level or above writes what is pending with it at
/// once, so warnings are never late and lines keep their order. A node killed with SIGKILL
/// loses at most the last 100 ms of info lines.
final class LogSink: Sendable {
    static let batchBytes = 32 << 10
    private let pending = Mutex<[UInt8]>([])

    init(flushInterval: Duration = .milliseconds(100)) {
        Task.detached { [weak self] in
            while true {
                try? await Task.sleep(for: flushInterval)
                guard let self else { return }
                self.flush()
            }
        }
    }

    /// Appends `line` (which ends in a newline); writes everything pending when `urgent`.
    func write(_ line: inout String, urgent: Bool) {
        pending.withLock { buffer in
            line.withUTF8 { buffer.append(contentsOf: $0) }
            if urgent || buffer.count >= Self.batchBytes { Self.writeAll(&buffer) }
        }
    }

    func flush() {
        pending.withLock { buffer in
            if !buffer.isEmpty { Self.writeAll(&buffer) }
        }
    }

    /// One `write(2)` for the whole batch, under the lock, so batches never interleave.
    private static func writeAll(_ buffer: inout [UInt8]) {
        buffer.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(2, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
