/// A transaction for etcd's `/v3/kv/txn`: if every compare holds, the success operations
/// run, all in one Raft entry; else none do.
public struct EtcdTransaction: Sendable, Equatable {
    public enum Compare: Sendable, Equatable {
        /// The key's value equals these bytes (so the key exists).
        case valueEquals(key: [UInt8], value: [UInt8])
        /// The key does not exist (its create revision is 0).
        case absent(key: [UInt8])
    }

    public enum Operation: Sendable, Equatable {
        case put(key: [UInt8], value: [UInt8])
        case delete(key: [UInt8])
    }

    public var compares: [Compare]
    public var success: [Operation]

    public init(compares: [Compare] = [], success: [Operation] = []) {
        self.compares = compares
        self.success = success
    }

    /// The request body in the gateway's JSON mapping of `TxnRequest` (bytes in base64,
    /// 64-bit integers as strings).
    func jsonObject() -> [String: Any] {
        let compare: [[String: Any]] = compares.map { compare in
            switch compare {
            case let .valueEquals(key, value):
                ["result": "EQUAL", "target": "VALUE", "key": EtcdClient.base64(key), "value": EtcdClient.base64(value)]
            case let .absent(key):
                ["result": "EQUAL", "target": "CREATE", "key": EtcdClient.base64(key), "create_revision": "0"]
            }
        }
        let success: [[String: Any]] = success.map { operation in
            switch operation {
            case let .put(key, value): ["request_put": ["key": EtcdClient.base64(key), "value": EtcdClient.base64(value)]]
            case let .delete(key): ["request_delete_range": ["key": EtcdClient.base64(key)]]
            }
        }
        return ["compare": compare, "success": success]
    }
}
