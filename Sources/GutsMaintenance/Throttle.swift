import Foundation

/// Keeps a background job to a byte rate by sleeping once it runs ahead, so a node under
/// fsck or repack keeps answering its API (`docs/OPERATIONS.md` has the measured cost).
public struct Throttle: Sendable {
    /// Bytes per second allowed; nil: unlimited (offline runs).
    public let bytesPerSecond: Double?
    private let start = Date()
    private var done = 0.0

    public init(bytesPerSecond: Double?) {
        self.bytesPerSecond = bytesPerSecond.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Counts `bytes` of work and sleeps while the job is ahead of its rate.
    public mutating func account(_ bytes: Int) {
        guard let bytesPerSecond else { return }
        done += Double(bytes)
        let ahead = done / bytesPerSecond - Date().timeIntervalSince(start)
        if ahead > 0.005 { Thread.sleep(forTimeInterval: ahead) }
    }
}
