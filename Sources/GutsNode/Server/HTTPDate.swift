import GutsGit

/// The `Date` header's IMF-fixdate (RFC 9110 §5.6.7), `Tue, 01 Dec 2026 21:15:00 GMT`, for
/// responses `ResponseCacheHandler` writes itself (Hummingbird's own date cache is internal).
enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func format(secondsSince1970 seconds: Int) -> String {
        let civil = CivilTime(secondsSince1970: seconds)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[civil.weekday]), \(two(civil.day)) \(months[civil.month - 1]) \(civil.year) \(two(civil.hour)):\(two(civil.minute)):\(two(civil.second)) GMT"
    }
}
