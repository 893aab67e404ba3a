import Foundation
import GutsStorage
import Synchronization

/// The node's counters and histograms, rendered in Prometheus text format.
///
/// Label sets are small and fixed (route templates, not paths), so a locked dictionary
/// per metric family is enough.
public final class NodeMetrics: Sendable {
    /// Upper bounds of the request duration buckets, in seconds.
    static let durationBuckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    private struct Histogram {
        var bucketCounts = [UInt64](repeating: 0, count: NodeMetrics.durationBuckets.count)
        var count: UInt64 = 0
        var sum: Double = 0

        /// Buckets are cumulative: a value counts in its own bucket and every larger one.
        mutating func record(_ seconds: Double, fromBucket first: Int) {
            count += 1
            sum += seconds
            for index in first..<bucketCounts.count { bucketCounts[index] += 1 }
        }
    }

    private struct State {
        var requests: [String: UInt64] = [:]
        var durations: [String: Histogram] = [:]
        var gitBytesSent: [String: UInt64] = [:]
        var gitBytesReceived: [String: UInt64] = [:]
        var pushes: [String: UInt64] = [:]
        var packEntries: [String: UInt64] = [:]
        var timeouts: [String: UInt64] = [:]
        var lfsBytesReceived: UInt64 = 0
        var lfsBytesSent: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        // The keys `labels` would give, built directly and outside the lock: this runs once per request.
        let route = Self.escaped(route)
        let key = "{route=\"\(route)\"}"
        let requestKey = "{method=\"\(Self.escaped(method))\",route=\"\(route)\",status=\"\(status)\"}"
        let firstBucket = Self.durationBuckets.firstIndex { seconds <= $0 } ?? Self.durationBuckets.count
        state.withLock { state in
            state.requests[requestKey, default: 0] += 1
            // Mutated in place, so the bucket array is not copied.
            state.durations[key, default: Histogram()].record(seconds, fromBucket: firstBucket)
        }
    }

    /// Counts a request ended by the request timeout, by the phase it was in.
    func recordTimeout(phase: String) {
        state.withLock { $0.timeouts[Self.labels(["phase": phase]), default: 0] += 1 }
    }

    func recordGitBytes(service: GitService, sent: Int, received: Int) {
        state.withLock { state in
            let key = Self.labels(["service": service.rawValue])
            state.gitBytesSent[key, default: 0] += UInt64(sent)
            state.gitBytesReceived[key, default: 0] += UInt64(received)
        }
    }

    func recordLFSBytes(received: Int, sent: Int) {
        state.withLock { state in
            state.lfsBytesReceived += UInt64(received)
            state.lfsBytesSent += UInt64(sent)
        }
    }

    func recordPush(succeeded: Bool) {
        state.withLock { $0.pushes[Self.labels(["result": succeeded ? "ok" : "rejected"]), default: 0] += 1 }
    }

    /// Counts the entries of a pack sent, by how each went out.
    func recordPackEntries(_ statistics: PackProducer.Statistics) {
        state.withLock { state in
            for (encoding, count) in [("whole", statistics.whole), ("ofs-delta", statistics.offsetDeltas),
                                      ("ref-delta", statistics.refDeltas), ("rebuilt", statistics.rebuilt)] {
                state.packEntries[Self.labels(["encoding": encoding]), default: 0] += UInt64(count)
            }
        }
    }

    /// Prometheus exposition text for the node's own metrics plus `extra` gauges.
    func render(extraGauges: [(name: String, help: String, labels: [String: String], value: Double)]) -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ values: [String: UInt64]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for key in values.keys.sorted() { out += "\(name)\(key) \(values[key]!)\n" }  // safe: key comes from values.keys
        }
        family("guts_http_requests_total", "counter", "HTTP requests by route template, method and status.", snapshot.requests)
        out += "# HELP guts_http_request_duration_seconds HTTP request duration by route template.\n"
        out += "# TYPE guts_http_request_duration_seconds histogram\n"
        for key in snapshot.durations.keys.sorted() {
            let histogram = snapshot.durations[key]!  // safe: key comes from durations.keys
            let route = key.dropFirst().dropLast()
            for (index, bound) in Self.durationBuckets.enumerated() {
                out += "guts_http_request_duration_seconds_bucket{\(route),le=\"\(bound)\"} \(histogram.bucketCounts[index])\n"
            }
            out += "guts_http_request_duration_seconds_bucket{\(route),le=\"+Inf\"} \(histogram.count)\n"
            out += "guts_http_request_duration_seconds_sum\(key) \(histogram.sum)\n"
            out += "guts_http_request_duration_seconds_count\(key) \(histogram.count)\n"
        }
        family("guts_http_request_timeouts_total", "counter",
               "Requests ended by the request timeout, by phase: request-body (408), handler (503), response-body (connection closed).",
               snapshot.timeouts)
        family("guts_git_bytes_sent_total", "counter", "Bytes of git protocol responses sent.", snapshot.gitBytesSent)
        family("guts_git_bytes_received_total", "counter", "Bytes of git protocol requests received.", snapshot.gitBytesReceived)
        family("guts_git_pushes_total", "counter", "Pushes by result.", snapshot.pushes)
        family("guts_git_pack_entries_total", "counter",
               "Entries of packs sent: whole, delta against an entry of the pack or against an object the client has, or delta-stored but rebuilt whole.",
               snapshot.packEntries)
        family("guts_lfs_bytes_received_total", "counter", "Bytes of Git LFS objects uploaded.", ["": snapshot.lfsBytesReceived])
        family("guts_lfs_bytes_sent_total", "counter", "Bytes of Git LFS objects downloaded.", ["": snapshot.lfsBytesSent])
        var described = Set<String>()
        for gauge in extraGauges {
            if described.insert(gauge.name).inserted {
                out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n"
            }
            out += "\(gauge.name)\(Self.labels(gauge.labels)) \(gauge.value)\n"
        }
        return out
    }

    static func labels(_ pairs: [String: String]) -> String {
        guard !pairs.isEmpty else { return "" }
        let body = pairs.keys.sorted().map { key in
            "\(key)=\"\(escaped(pairs[key]!))\""  // safe: key comes from pairs.keys
        }
        return "{" + body.joined(separator: ",") + "}"
    }

    /// A label value in the exposition format's escaping (backslash, quote, newline).
    static func escaped(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else { return value }
        var out = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
