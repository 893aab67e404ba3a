import Foundation

/// Progress lines on stderr, written only when stderr is a terminal.
public struct BenchProgress: Sendable {
    public let enabled: Bool

    public init(enabled: Bool = isatty(2) == 1) {
        self.enabled = enabled
    }

    /// Writes `message` to stderr when enabled.
    public func report(_ message: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
    }
}
