import Foundation
import HTTPTypes
import Testing
@testable import GutsNode

/// The pure parts of the response cache: its policy header, which requests it may answer,
/// and the `Date` it writes.
@Suite struct ResponseCachePolicyTests {
    @Test(arguments: [
        ResponseCachePolicy.untilRegistryChanges, .untilRefsChange(repositoryID: 7, generation: 0),
        .untilRefsChange(repositoryID: .max, generation: 12_345), .forDuration(milliseconds: 1000),
    ])
    func headerValuesRoundTrip(policy: ResponseCachePolicy) {
        #expect(ResponseCachePolicy(headerValue: policy.headerValue) == policy)
    }

    @Test(arguments: ["", "refs", "refs 1", "refs x 2", "refs 1 2 3", "ms 0", "ms -5", "ms", "registry 1", "other"])
    func malformedHeaderValuesAreNoPolicy(value: String) {
        #expect(ResponseCachePolicy(headerValue: value) == nil)
    }

    @Test func onlyPlainAnonymousGetsAreEligible() {
        func request(_ method: HTTPRequest.Method = .get, _ fields: HTTPFields = [:]) -> HTTPRequest {
            HTTPRequest(method: method, scheme: nil, authority: "127.0.0.1", path: "/api/repos", headerFields: fields)
        }
        #expect(ResponseCache.isEligible(request()))
        #expect(ResponseCache.isEligible(request(.get, [.accept: "*/*", .userAgent: "curl", .connection: "Keep-Alive"])))
        #expect(!ResponseCache.isEligible(request(.head)))
        #expect(!ResponseCache.isEligible(request(.post)))
        for field: HTTPField.Name in [.authorization, .cookie, .range, .ifNoneMatch, .ifModifiedSince, .ifMatch, .ifUnmodifiedSince, .ifRange, .contentLength, .transferEncoding, .expect] {
            #expect(!ResponseCache.isEligible(request(.get, [field: "x"])), "\(field)")
        }
        #expect(!ResponseCache.isEligible(request(.get, [.connection: "close"])))
        #expect(!ResponseCache.isEligible(HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/" + String(repeating: "a", count: 3000))))
    }

    /// IMF-fixdate as Foundation's formatter writes it, across weekdays, leap days and the epoch.
    @Test(arguments: [0, 951_782_400, 1_796_152_500, 4_107_542_399] + (0..<100).map { _ in Int.random(in: 0...4_102_444_800) })
    func datesMatchFoundation(seconds: Int) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(HTTPDate.format(secondsSince1970: seconds) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
    }
}
