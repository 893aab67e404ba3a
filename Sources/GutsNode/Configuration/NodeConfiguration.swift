import Foundation
import GutsMaintenance

/// Everything `guts serve` can be told, merged from defaults < config file < `GUTS_*` environment < flags.
public struct NodeConfiguration: Codable, Sendable, Equatable {
    public enum StorageKind: String, Codable, Sendable { case rocksdb, memory }
    public enum LogFormat: String, Codable, Sendable { case text, json }

    /// A credential: `write` tokens may push and change repositories, `admin` tokens may also use `/admin`.
    public struct Token: Codable, Sendable, Equatable {
        public var name: String
        public var token: String
        public var admin: Bool

        public init(name: String, token: String, admin: Bool = false) {
            self.name = name
            self.token = token
            self.admin = admin
        }
    }

    public var listen = "127.0.0.1:8080"
    public var dataDirectory = "./guts-data"
    public var storage = StorageKind.rocksdb
    public var logFormat = LogFormat.text
    public var logLevel = "info"
    public var tokens: [Token] = []
    /// A push by a write token to a repository that does not exist creates it.
    public var createOnPush = true
    public var blockCacheBytes = 64 << 20
    public var objectCacheBytes = 64 << 20
    public var objectCacheEntries = 100_000
    /// Disk bytes of generated packs kept for identical fetches (`PackCache`); 0 keeps none.
    public var packCacheBytes = 1 << 30
    public var maxRequestBodyBytes = 2 << 30
    public var maxAPIBodyBytes = 1 << 20
    /// Fetch negotiations (wants and haves) are read into memory, so they get their own bound.
    public var maxFetchRequestBytes = 16 << 20
    public var maxHeaderBytes = 64 << 10
    public var maxConnections = 20_000
    /// Seconds a connection may stay idle (no bytes either way) before it is closed; this is
    /// also what bounds a client that stalls mid-request.
    public var idleTimeoutSeconds = 60
    /// Seconds a whole request may take, from its head to the last byte of its response,
    /// a clone's pack included; 0 for no limit. Past it the client gets 408 or 503 or, once
    /// the response is streaming, a closed connection (`RequestTimeoutMiddleware`). The
    /// default leaves room for multi-gigabyte transfers over slow links.
    public var requestTimeoutSeconds = 3600
    /// Push ref updates are written with a synced WAL, so an acknowledged push survives a
    /// power failure; false trades that for latency (for measuring it, or throwaway nodes).
    public var syncRefUpdates = true
    /// Refuse pushed objects that git's fsck only warns about (legacy tree modes, odd
    /// identity lines: see `FsckMessage`); by default they are stored as they came, as git does.
    public var strictObjects = false
    /// Seconds a request body may go without a byte arriving before the node answers 408
    /// and closes the connection (a client trickling its body); 0 for no limit.
    public var bodyIdleTimeoutSeconds = 30
    /// Threads that run storage, zlib and SHA-1 work.
    public var blockingPoolThreads = max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
    /// Jobs that may wait for one of those threads; a request past it gets 503 with `Retry-After`.
    public var blockingQueueLimit = 512
    /// glibc malloc arenas for the whole process (`M_ARENA_MAX`); 0 keeps glibc's default
    /// of 8 per core. Each thread that frees memory into its own arena keeps that memory: on
    /// the tmux push and clone, 2 arenas peaked at 180 MB RSS where the default took 211 MB,
    /// with API throughput unchanged within noise (docs/PERFORMANCE.md).
    public var mallocArenas = 2
    /// Allocations of at least this many bytes get pages of their own from the kernel and
    /// give them back when freed (glibc's `M_MMAP_THRESHOLD`). glibc's default starts at 128
    /// KiB and rises to the largest block freed, after which big buffers (blobs, RocksDB's
    /// 4 MiB memtable arenas) stay in the heap once freed: a node restarted after a 500 MB
    /// push held 90 MB more than with a fixed threshold (docs/OPERATIONS.md). 0 keeps glibc's.
    public var mallocMmapThresholdBytes = 256 << 10
    /// Always-on low-rate CPU sampling into a one-hour ring (`/admin/profile/cpu?since=`).
    public var profileContinuous = false
    /// Rate of continuous sampling in Hz (of process CPU time).
    public var profileRate = 19
    /// Always-on allocation sampling, one sample per this many bytes allocated on average,
    /// for the heap in use by stack (`/admin/profile/heap`); 0 is off.
    public var profileAllocations = 0
    /// The node's URL as clients reach it (`https://git.example.com`), for the links it
    /// hands out: LFS transfer actions and webhook payloads. Empty: `http://` and the
    /// request's Host header (for LFS) or the listen address (for webhooks).
    public var publicURL = ""
    /// Largest Git LFS object accepted, in bytes. Objects stream to disk, so this bounds
    /// disk use, not memory.
    public var lfsMaxObjectBytes = 8 << 30
    /// Webhook destinations allowed besides public addresses: `loopback`, `private`
    /// (RFC 1918, unique-local and link-local ranges), CIDR blocks (`10.1.0.0/16`), host names
    /// (`ci.internal`, `*.corp.example`) or `*` for any. By default a webhook may reach only
    /// public addresses, so none can probe the node's own network.
    public var webhookAllowedHosts: [String] = []
    /// Seconds a webhook receiver has to answer one delivery.
    public var webhookTimeoutSeconds = 10
    /// Seconds before the first retry of a failed delivery; each later retry waits twice as
    /// long, at most an hour.
    public var webhookRetrySeconds = 15
    /// Attempts of one delivery before it is given up (it stays in the log, redeliverable).
    public var webhookMaxAttempts = 10

    public init() {}

    public var listenHost: String { String(listen[..<(listen.lastIndex(of: ":") ?? listen.endIndex)]) }
    public var listenPort: Int { Int(listen[(listen.lastIndex(of: ":").map { listen.index(after: $0) } ?? listen.endIndex)...]) ?? 8080 }

    /// Reads a JSON config file; keys it omits keep their current values.
    public mutating func merge(configFile path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw NodeConfigurationError.unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        guard let overrides = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw NodeConfigurationError.unreadable(path: path, reason: "not a JSON object")
        }
        var merged = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as! [String: Any]  // safe: encoding a struct always gives a JSON object
        for (key, value) in overrides {
            guard merged[key] != nil else { throw NodeConfigurationError.unknownKey(key, path: path) }
            merged[key] = value
        }
        do {
            self = try JSONDecoder().decode(Self.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw NodeConfigurationError.unreadable(path: path, reason: "a value has the wrong type")
        }
    }

    /// Applies `GUTS_LISTEN`, `GUTS_DATA_DIR`, `GUTS_STORAGE`, `GUTS_LOG_FORMAT`, `GUTS_LOG_LEVEL`,
    /// `GUTS_REQUEST_TIMEOUT` (whole seconds, or with a unit: `300`, `10m`), `GUTS_PUBLIC_URL`,
    /// `GUTS_WEBHOOK_ALLOWED_HOSTS` (comma-separated), `GUTS_ADMIN_TOKEN` and `GUTS_WRITE_TOKEN`.
    public mutating func merge(environment: [String: String]) throws {
        if let value = environment["GUTS_LISTEN"] { listen = value }
        if let value = environment["GUTS_DATA_DIR"] { dataDirectory = value }
        if let value = environment["GUTS_STORAGE"] {
            guard let kind = StorageKind(rawValue: value) else { throw NodeConfigurationError.invalidValue("GUTS_STORAGE", value) }
            storage = kind
        }
        if let value = environment["GUTS_LOG_FORMAT"] {
            guard let format = LogFormat(rawValue: value) else { throw NodeConfigurationError.invalidValue("GUTS_LOG_FORMAT", value) }
            logFormat = format
        }
        if let value = environment["GUTS_LOG_LEVEL"] { logLevel = value }
        if let value = environment["GUTS_REQUEST_TIMEOUT"] {
            guard let seconds = Self.wholeSeconds(value) else { throw NodeConfigurationError.invalidValue("GUTS_REQUEST_TIMEOUT", value) }
            requestTimeoutSeconds = seconds
        }
        if let value = environment["GUTS_PUBLIC_URL"] { publicURL = value }
        if let value = environment["GUTS_WEBHOOK_ALLOWED_HOSTS"] {
            webhookAllowedHosts = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        // A variable that is set but empty is a configured empty token, which `validate` refuses.
        if let value = environment["GUTS_ADMIN_TOKEN"] {
            tokens.append(Token(name: "GUTS_ADMIN_TOKEN", token: value, admin: true))
        }
        if let value = environment["GUTS_WRITE_TOKEN"] {
            tokens.append(Token(name: "GUTS_WRITE_TOKEN", token: value))
        }
    }

    /// Checks values that would otherwise fail later with a less clear message.
    public func validate() throws {
        guard listen.contains(":"), (1...65535).contains(listenPort) || listenPort == 0 else {
            throw NodeConfigurationError.invalidValue("listen", listen)
        }
        guard maxRequestBodyBytes > 0, maxConnections > 0 else {
            throw NodeConfigurationError.invalidValue("limits", "must be positive")
        }
        guard requestTimeoutSeconds >= 0 else {
            throw NodeConfigurationError.invalidValue("requestTimeoutSeconds", "\(requestTimeoutSeconds) (must be 0 or more)")
        }
        guard (0...1024).contains(mallocArenas) else {
            throw NodeConfigurationError.invalidValue("mallocArenas", "\(mallocArenas) (must be within 0...1024)")
        }
        guard (0...(32 << 20)).contains(mallocMmapThresholdBytes) else {
            throw NodeConfigurationError.invalidValue("mallocMmapThresholdBytes", "\(mallocMmapThresholdBytes) (must be within 0...33554432)")
        }
        guard packCacheBytes >= 0 else {
            throw NodeConfigurationError.invalidValue("packCacheBytes", "\(packCacheBytes) (must be 0 or more)")
        }
        guard bodyIdleTimeoutSeconds >= 0, blockingPoolThreads > 0, blockingQueueLimit >= 0 else {
            throw NodeConfigurationError.invalidValue("limits", "bodyIdleTimeoutSeconds and blockingQueueLimit must be 0 or more, blockingPoolThreads positive")
        }
        if let empty = tokens.first(where: { $0.token.isEmpty }) {
            throw NodeConfigurationError.invalidValue("tokens", "token '\(empty.name)' is empty")
        }
        if !publicURL.isEmpty, URL(string: publicURL)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw NodeConfigurationError.invalidValue("publicURL", "\(publicURL) (must be an http:// or https:// URL)")
        }
        guard lfsMaxObjectBytes > 0, webhookTimeoutSeconds > 0, webhookRetrySeconds > 0, webhookMaxAttempts > 0 else {
            throw NodeConfigurationError.invalidValue("limits", "lfsMaxObjectBytes, webhookTimeoutSeconds, webhookRetrySeconds and webhookMaxAttempts must be positive")
        }
        for entry in webhookAllowedHosts where WebhookAddressPolicy.Rule(entry) == nil {
            throw NodeConfigurationError.invalidValue("webhookAllowedHosts", "'\(entry)' (use loopback, private, *, a CIDR block or a host name)")
        }
        guard (1...1000).contains(profileRate) else {
            throw NodeConfigurationError.invalidValue("profileRate", "\(profileRate) (must be within 1...1000)")
        }
        guard profileAllocations == 0 || (1...(1 << 30)).contains(profileAllocations) else {
            throw NodeConfigurationError.invalidValue("profileAllocations", "\(profileAllocations) (bytes within 1...1073741824, or 0 for off)")
        }
    }

    /// A duration such as `300`, `90s` or `10m` as whole seconds; nil if it is not one.
    public static func wholeSeconds(_ text: String) -> Int? {
        guard let seconds = try? AdminValueParser.seconds(text) else { return nil }
        return Int(exactly: seconds)
    }
}

public enum NodeConfigurationError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unknownKey(String, path: String)
    case invalidValue(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read config file \(path): \(reason)"
        case .unknownKey(let key, let path): "unknown key '\(key)' in config file \(path)"
        case .invalidValue(let key, let value): "invalid value for \(key): \(value)"
        }
    }
}
