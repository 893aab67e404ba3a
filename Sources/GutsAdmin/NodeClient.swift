import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Talks to a running node's `/admin` and archive endpoints with the admin token.
public struct NodeClient: Sendable {
    public let baseURL: String
    public let token: String?

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
        guard var components = URLComponents(string: baseURL + path) else { throw AdminError.usage("bad node URL \(baseURL)") }
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components.url else { throw AdminError.usage("bad node URL \(baseURL)\(path)") }
        var request = URLRequest(url: url, timeoutInterval: 3600)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw AdminError.nodeUnreachable(url: baseURL, reason: "\(error.localizedDescription)")
        }
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            throw AdminError.nodeRefused(status: status, message: (object?["error"] as? String) ?? "HTTP \(status)")
        }
        var headers: [String: String] = [:]
        for case let (name as String, value as String) in http?.allHeaderFields ?? [:] { headers[name.lowercased()] = value }
        return (data, headers)
    }

    /// Sends a request and decodes the node's snake_case JSON answer.
    public func json<Value: Decodable>(_ type: Value.Type, _ method: String, _ path: String, query: [String: String] = [:]) async throws -> Value {
        let data = try await send(method, path, query: query)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw AdminError.failed("unexpected answer from \(path): \(error)")
        }
    }
}
