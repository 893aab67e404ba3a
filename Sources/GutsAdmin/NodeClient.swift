import AsyncHTTPClient
import Foundation
import GutsMaintenance
import NIOCore
import NIOHTTP1

/// Talks to a running node's `/admin` and archive endpoints with the admin token, over
/// AsyncHTTPClient's shared client.
public struct NodeClient: Sendable {
    public let baseURL: String
    public let token: String?
    /// The longest an admin job may take before the client gives up (a compaction or a
    /// backup of a big node runs for minutes).
    public var timeout: TimeAmount = .hours(6)
    /// The largest answer read (archives are the biggest).
    public var maxBodyBytes = 16 << 30

    public init(baseURL: String, token: String?) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.token = token
    }

    /// Sends a request and returns the body of a 2xx answer; other statuses become
    /// `AdminError.nodeRefused` with the node's `error` message.
    public func send(_ method: String, _ path: String, query: [String: String] = [:]) async throws -> Data {
        try await exchange(method, path, query: query).body
    }

    /// Like `send`, and also returns the answer's headers (names lowercased), for
    /// endpoints that report metadata there (e.g. `x-profile-statistics`).
    public func exchange(_ method: String, _ path: String, query: [String: String] = [:]) async throws -> (body: Data, headers: [String: String]) {
        var request = HTTPClientRequest(url: baseURL + path + Self.queryString(query))
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let status: UInt
        let body: ByteBuffer
        var headers: [String: String] = [:]
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            status = response.status.code
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            body = try await response.body.collect(upTo: maxBodyBytes)
        } catch {
            throw AdminError.nodeUnreachable(url: baseURL, reason: "\(error)")
        }
        let data = Data(body.readableBytesView)
        guard (200..<300).contains(status) else {
            struct Refusal: Decodable { var error: String }
            let message = (try? JSONDecoder().decode(Refusal.self, from: data))?.error ?? "HTTP \(status)"
            throw AdminError.nodeRefused(status: Int(status), message: message)
        }
        return (data, headers)
    }

    /// Runs `operation` on the node at its route and decodes the node's snake_case report.
    public func perform<Operation: AdminOperation>(_ operation: Operation) async throws -> Operation.Report {
        guard let route = Operation.route else { throw AdminError.needsStoppedNode(Operation.job) }
        let data = try await send(route.method.rawValue, route.path, query: operation.query)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(Operation.Report.self, from: data)
        } catch {
            throw AdminError.failed("unexpected answer from \(route.path): \(error)")
        }
    }

    /// `?a=1&b=2`, keys sorted, each part percent-encoded; empty for no parameters.
    static func queryString(_ query: [String: String]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+;#")
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return "?" + query.sorted { $0.key < $1.key }.map { "\(encode($0.key))=\(encode($0.value))" }.joined(separator: "&")
    }
}
