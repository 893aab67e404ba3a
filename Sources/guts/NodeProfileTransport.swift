import AsyncHTTPClient
import Foundation
import GutsAdmin
import GutsMaintenance
import GutsProfiler
import NIOCore

/// Sends `guts profile --node`'s requests, which the node holds open for the whole
/// sampling window. Not through `NodeClient`'s URLSession: on Linux, Foundation's URLSession
/// keeps a libdispatch source firing while such a request waits, half a core of CPU in a
/// 5 s window (measured, docs/PROFILING.md), taken from the node being profiled on the same
/// machine. AsyncHTTPClient waits in epoll.
struct NodeProfileTransport {
    let node: NodeClient

    /// The answer's body and headers (names lowercased); a non-2xx answer becomes
    /// `AdminError.nodeRefused` with the node's `error` message, as `NodeClient` does.
    func exchange(_ profileRequest: NodeProfileRequest) async throws -> (body: Data, headers: [String: String]) {
        guard var components = URLComponents(string: node.baseURL + profileRequest.path) else {
            throw AdminError.usage("bad node URL \(node.baseURL)")
        }
        components.queryItems = profileRequest.query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        guard let url = components.url?.absoluteString else { throw AdminError.usage("bad node URL \(node.baseURL)\(profileRequest.path)") }
        var request = HTTPClientRequest(url: url)
        if let token = node.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let body: ByteBuffer
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .hours(1))
            body = try await response.body.collect(upTo: 1 << 30)
        } catch {
            throw AdminError.nodeUnreachable(url: node.baseURL, reason: "\(error)")
        }
        let data = Data(body.readableBytesView)
        guard (200..<300).contains(Int(response.status.code)) else {
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            throw AdminError.nodeRefused(status: Int(response.status.code),
                                         message: (object?["error"] as? String) ?? "HTTP \(response.status.code)")
        }
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        return (data, headers)
    }
}
