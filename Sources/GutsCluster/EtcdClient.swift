import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A client of etcd's v3 API through its gRPC-JSON gateway (`POST /v3/...` over HTTP/1.1),
/// failing over between the endpoints of one cluster.
///
/// Each call goes to the endpoint that answered last; when it cannot be reached or answers
/// 5xx (`etcdserver: no leader`, a request timed out inside etcd), the next one is tried.
/// A member cut off from the majority answers linearizable reads and writes with an error
/// or not at all, so failing over until one answers finds the majority's side.
public final class EtcdClient: Sendable {
    public let endpoints: [String]
    /// How long one endpoint has to answer one call.
    public let requestTimeout: TimeAmount
    private let http: HTTPClient
    private let preferred = NIOLockedValueBox(0)
    /// Responses are small (a repository's refs); this bounds a confused peer.
    static let maxResponseBytes = 64 << 20

    public init(endpoints: [String], requestTimeout: TimeAmount = .seconds(2), http: HTTPClient = .shared) {
        self.endpoints = endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.requestTimeout = requestTimeout
        self.http = http
    }

    // MARK: KV

    /// The keys from `key` up to `rangeEnd` (exclusive; nil: `key` alone). Linearizable
    /// unless `serializable`, which any member answers from its own copy, maybe stale.
    public func range(_ key: [UInt8], end rangeEnd: [UInt8]? = nil, serializable: Bool = false) async throws -> (kvs: [EtcdKeyValue], revision: Int64) {
        var body: [String: Any] = ["key": Self.base64(key)]
        if let rangeEnd { body["range_end"] = Self.base64(rangeEnd) }
        if serializable { body["serializable"] = true }
        let (answer, endpoint) = try await call("/v3/kv/range", body)
        let kvs = try (answer["kvs"] as? [[String: Any]] ?? []).map { try Self.keyValue($0, endpoint: endpoint) }
        return (kvs, Self.int64(Self.dictionary(answer["header"])["revision"]) ?? 0)
    }

    /// Every key that starts with `prefix`.
    public func range(prefix: [UInt8], serializable: Bool = false) async throws -> (kvs: [EtcdKeyValue], revision: Int64) {
        try await range(prefix, end: Self.prefixEnd(prefix), serializable: serializable)
    }

    public func put(_ key: [UInt8], _ value: [UInt8], lease: Int64 = 0) async throws {
        var body: [String: Any] = ["key": Self.base64(key), "value": Self.base64(value)]
        if lease != 0 { body["lease"] = String(lease) }
        _ = try await call("/v3/kv/put", body)
    }

    /// Runs `transaction`; true when its compares held and its operations were applied.
    public func commit(_ transaction: EtcdTransaction) async throws -> Bool {
        let (answer, _) = try await call("/v3/kv/txn", transaction.jsonObject())
        // proto3's JSON mapping leaves out a false boolean.
        return answer["succeeded"] as? Bool ?? false
    }

    // MARK: Leases

    /// A new lease of `ttlSeconds`; its id.
    public func grantLease(ttlSeconds: Int) async throws -> Int64 {
        let (answer, endpoint) = try await call("/v3/lease/grant", ["TTL": String(ttlSeconds)])
        guard let id = Self.int64(answer["ID"]), id != 0 else {
            throw EtcdError.malformedResponse(endpoint: endpoint, reason: "lease grant without an ID")
        }
        return id
    }

    /// Renews a lease; false when it has expired (etcd answers without a TTL).
    public func keepAlive(lease: Int64) async throws -> Bool {
        let (answer, _) = try await call("/v3/lease/keepalive", ["ID": String(lease)])
        return (Self.int64(Self.dictionary(answer["result"])["TTL"]) ?? 0) > 0
    }

    public func revoke(lease: Int64) async throws {
        _ = try await call("/v3/lease/revoke", ["ID": String(lease)])
    }

    // MARK: Transport

    /// POSTs `body` to the preferred endpoint, failing over in order; the decoded answer
    /// and the endpoint that gave it.
    private func call(_ path: String, _ body: [String: Any]) async throws -> ([String: Any], String) {
        let payload = try JSONSerialization.data(withJSONObject: body)
        let start = preferred.withLockedValue { $0 }
        var failures = [String]()
        for step in 0..<endpoints.count {
            let index = (start + step) % endpoints.count
            let endpoint = endpoints[index]
            var request = HTTPClientRequest(url: endpoint + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: payload))
            let status: Int, bytes: ByteBuffer
            do {
                let response = try await http.execute(request, timeout: requestTimeout)
                status = Int(response.status.code)
                bytes = try await response.body.collect(upTo: Self.maxResponseBytes)
            } catch {
                failures.append("\(endpoint): \(error)")
                continue
            }
            let answer = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any]
            guard status == 200, let answer else {
                let message = (answer?["error"] as? String) ?? (answer?["message"] as? String) ?? String(buffer: bytes)
                if status >= 500 {
                    failures.append("\(endpoint): \(status) \(message)")
                    continue
                }
                throw EtcdError.server(endpoint: endpoint, status: status, message: message)
            }
            if step != 0 { preferred.withLockedValue { $0 = index } }
            return (answer, endpoint)
        }
        throw EtcdError.unavailable(failures)
    }

    // MARK: Encoding

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// The smallest key above every key that starts with `prefix` (etcd's `range_end` for
    /// a prefix): the prefix with its last byte below 0xff incremented.
    public static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]  // every key: etcd's "\0" range end
    }

    static func dictionary(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }

    /// A 64-bit integer the gateway sends as a string (or, from some versions, a number).
    static func int64(_ value: Any?) -> Int64? {
        if let text = value as? String { return Int64(text) }
        if let number = value as? NSNumber { return Int64(exactly: number.doubleValue) }
        return nil
    }

    static func keyValue(_ object: [String: Any], endpoint: String) throws -> EtcdKeyValue {
        guard let keyText = object["key"] as? String, let key = Data(base64Encoded: keyText) else {
            throw EtcdError.malformedResponse(endpoint: endpoint, reason: "a key without base64 bytes")
        }
        let value = (object["value"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
        return EtcdKeyValue(key: Array(key), value: Array(value), createRevision: int64(object["create_revision"]) ?? 0,
                            modRevision: int64(object["mod_revision"]) ?? 0, lease: int64(object["lease"]) ?? 0)
    }
}
