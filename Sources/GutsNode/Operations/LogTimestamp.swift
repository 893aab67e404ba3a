#if canImport(Glibc)
import Glibc
#endif
import GutsGit

/// UTC timestamps for log lines, `2026-12-01T14:03:07.123Z`.
///
/// Written by hand rather than with Foundation's `Date.formatted(.iso8601)`: the access
/// log formats one per request, and the formatter was part of the 9% of a `/health/live`
/// request's CPU that its log line cost in `perf record`.
enum LogTimestamp {
    static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec) / 1_000_000)
    }

    static func format(seconds: Int, milliseconds: Int) -> String {
        let civil = CivilTime(secondsSince1970: seconds)
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        func digits(_ value: Int, _ count: Int, then separator: Character) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            for _ in 0..<count {
                bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / divisor % 10))
                divisor /= 10
            }
            bytes.append(UInt8(ascii: separator.unicodeScalars.first!))  // safe: separators are ASCII literals
        }
        digits(civil.year, 4, then: "-")
        digits(civil.month, 2, then: "-")
        digits(civil.day, 2, then: "T")
        digits(civil.hour, 2, then: ":")
        digits(civil.minute, 2, then: ":")
        digits(civil.second, 2, then: ".")
        digits(milliseconds, 3, then: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }
}
