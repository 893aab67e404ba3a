import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// POSTs one delivery with async-http-client, to an address the policy allowed.
///
/// Each send resolves the host itself, checks every address against the policy and pins
/// the connection to the first allowed one (`dnsOverride`; TLS still verifies the host
/// name), so DNS cannot swap in an internal address after the check. Redirects are not
/// followed: a redirect could lead anywhere.
struct WebhookSender: Sendable {
    struct Answer: Sendable {
        var statusCode: Int
        var reason: String
        var headers: [String: String]
        /// The first `maxResponseBytes` of the body.
        var body: String
    }

    let policy: WebhookAddressPolicy
    let timeoutSeconds: Int
    static let maxResponseBytes = 4096

    /// The host of an absolute http(s) URL, or why it is not one.
    static func host(of url: String) -> Result<String, WebhookDeliveryError> {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty, components.user == nil else {
            return .failure(.invalidURL(url))
        }
        return .success(host)
    }

    /// Which address `url` would be delivered to; blocks on DNS, so call it off the event loops.
    func checkDestination(_ url: String) -> Result<WebhookAddressPolicy.Address, WebhookDeliveryError> {
        switch Self.host(of: url) {
        case .failure(let error): return .failure(error)
        case .success(let host): return policy.choose(host: host, from: WebhookAddressPolicy.resolve(host))
        }
    }

    func send(url: String, headers: [(String, String)], body: [UInt8], address: WebhookAddressPolicy.Address) async -> Result<Answer, WebhookDeliveryError> {
        guard case .success(let host) = Self.host(of: url) else { return .failure(.invalidURL(url)) }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(Int64(timeoutSeconds)), read: .seconds(Int64(timeoutSeconds))))
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if WebhookAddressPolicy.Address(bare) == nil { configuration.dnsOverride = [host: address.description] }
        configuration.connectionPool = .init(idleTimeout: .seconds(1))
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let result = await post(url: url, headers: headers, body: body, with: client)
        try? await client.shutdown()
        return result
    }

    private func post(url: String, headers: [(String, String)], body: [UInt8], with client: HTTPClient) async -> Result<Answer, WebhookDeliveryError> {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(timeoutSeconds)))
            var collected = [UInt8]()
            for try await chunk in response.body {
                collected += chunk.readableBytesView.prefix(Self.maxResponseBytes - collected.count)
                if collected.count >= Self.maxResponseBytes { break }
            }
            var fields: [String: String] = [:]
            for header in response.headers { fields[header.name.lowercased()] = header.value }
            return .success(Answer(statusCode: Int(response.status.code), reason: response.status.reasonPhrase, headers: fields,
                                   body: String(decoding: collected, as: UTF8.self)))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failure(.timedOut(seconds: timeoutSeconds))
        } catch {
            return .failure(.transport("\(error)"))
        }
    }
}
