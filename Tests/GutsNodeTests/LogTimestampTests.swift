import Foundation
import Testing
@testable import GutsNode

@Suite struct LogTimestampTests {
    /// The hand-written formatter agrees with Foundation's ISO 8601 formatter, leap days,
    /// century years and the epoch included.
    @Test(arguments: [0, 951_782_400, 951_868_799, 4_107_542_400, 1_796_131_387, 253_402_300_799, 1_709_164_800]
                     + (0..<200).map { _ in Int.random(in: 0...4_102_444_800) })
    func matchesFoundation(seconds: Int) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let milliseconds = seconds % 1000
        let expected = formatter.string(from: Date(timeIntervalSince1970: Double(seconds) + Double(milliseconds) / 1000 + 0.0001))
        #expect(LogTimestamp.format(seconds: seconds, milliseconds: milliseconds) == expected)
    }
}
