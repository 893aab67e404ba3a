import ArgumentParser
import Foundation
import GutsNode
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a Guts node: git smart HTTP, JSON API, health and metrics.",
        discussion: """
            Settings come from defaults, then --config (JSON), then GUTS_* environment variables, then flags.
            With no token configured, the node writes an admin token to <data-dir>/admin-token.

            Partial clone: git clone --filter=blob:none (also blob:limit=<n>[kmg], tree:<depth>, object:type=<type> and \
            combine:) over protocol v0 and v2; the client then fetches missing objects by id when it needs them, and v2 \
            object-info answers object sizes.

            Git LFS: every repository is also an LFS server at <url>/<owner>/<name>.git/info/lfs (batch API, basic transfers, \
            verify, locks). Objects are stored by SHA-256 under <data-dir>/lfs, streamed to and from disk; uploads and locks \
            need a write token, downloads follow the repository's visibility.

            Webhooks: /api/repos/<owner>/<name>/hooks takes GitHub's webhook API; push, create and delete events are POSTed \
            in GitHub's format, signed with X-Hub-Signature-256, from a queue in RocksDB with retries and a delivery log. \
            Destinations on loopback or private networks are refused unless --webhook-allowed-hosts allows them.

            Cluster: --etcd joins the node to a cluster whose refs live in etcd (docs/CLUSTER.md). Every node needs a \
            unique --node-name and the same cluster token; a push is acknowledged once a majority of the repository's \
            --replication replicas hold its objects and its one etcd transaction committed. Without --etcd the node \
            stands alone.
            """
    )

    @Option(help: "Address to listen on, host:port.") var listen: String?
    @Option(name: .customLong("data-dir"), help: "Directory holding the node's data.") var dataDirectory: String?
    @Option(help: "A JSON config file.") var config: String?
    @Option(help: "Storage backend: rocksdb or memory.") var storage: NodeConfiguration.StorageKind?
    @Option(name: .customLong("block-cache"), help: "RocksDB block cache size in bytes.") var blockCacheBytes: Int?
    @Option(name: .customLong("object-cache"), help: "Object cache size in bytes.") var objectCacheBytes: Int?
    @Option(name: .customLong("log-format"), help: "Log format: text or json.") var logFormat: NodeConfiguration.LogFormat?
    @Option(name: .customLong("log-level"), help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String?
    @Option(name: .customLong("request-timeout"),
            help: "Time a whole request may take, response included, e.g. 300 or 10m; 0 for no limit (default 1h).")
    var requestTimeout: String?
    @Flag(name: .customLong("profile-continuous"),
          help: "Sample CPU continuously at a low rate into a one-hour ring (dump with guts profile --node URL --since 10m).")
    var profileContinuous = false
    @Option(name: .customLong("profile-rate"), help: "Continuous sampling rate in Hz (default 19).") var profileRate: Int?
    @Option(name: .customLong("profile-allocations"),
            help: "Sample allocations, one per this many bytes on average (e.g. 524288), for the heap in use (guts profile --node URL --heap).")
    var profileAllocations: Int?
    @Option(name: .customLong("public-url"), help: "The node's URL as clients reach it, for clone_url and html_url, Git LFS and webhook links (default: the listen address).")
    var publicURL: String?
    @Option(name: .customLong("webhook-allowed-hosts"),
            help: "Comma-separated webhook destinations allowed besides public addresses: loopback, private, *, CIDR blocks or host names.")
    var webhookAllowedHosts: String?
    @Option(help: "Join a cluster: comma-separated etcd client URLs (http://10.0.0.1:2379,...).") var etcd: String?
    @Option(name: .customLong("node-name"), help: "This node's name in the cluster, unique among its nodes.") var nodeName: String?
    @Option(help: "The URL other cluster nodes reach this one at (default: http:// and the listen address).") var advertise: String?
    @Option(help: "Replicas of each repository in the cluster (default 3).") var replication: Int?
    @Option(name: .customLong("cluster-token-file"), help: "A file holding the token cluster nodes authenticate each other with (or GUTS_CLUSTER_TOKEN).")
    var clusterTokenFile: String?

    func run() async throws {
        var settings = NodeConfiguration()
        do {
            if let config { try settings.merge(configFile: config) }
            try settings.merge(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
        if let listen { settings.listen = listen }
        if let dataDirectory { settings.dataDirectory = dataDirectory }
        if let storage { settings.storage = storage }
        if let blockCacheBytes { settings.blockCacheBytes = blockCacheBytes }
        if let objectCacheBytes { settings.objectCacheBytes = objectCacheBytes }
        if let logFormat { settings.logFormat = logFormat }
        if let logLevel { settings.logLevel = logLevel }
        if let requestTimeout {
            guard let seconds = NodeConfiguration.wholeSeconds(requestTimeout) else {
                throw ValidationError("--request-timeout must be whole seconds, e.g. 300 or 10m, not '\(requestTimeout)'")
            }
            settings.requestTimeoutSeconds = seconds
        }
        if profileContinuous { settings.profileContinuous = true }
        if let profileRate { settings.profileRate = profileRate }
        if let profileAllocations { settings.profileAllocations = profileAllocations }
        if let publicURL { settings.publicURL = publicURL }
        if let webhookAllowedHosts {
            settings.webhookAllowedHosts = webhookAllowedHosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let etcd { settings.etcdEndpoints = NodeConfiguration.list(etcd) }
        if let nodeName { settings.nodeName = nodeName }
        if let advertise { settings.advertiseURL = advertise }
        if let replication { settings.replication = replication }
        if let clusterTokenFile { settings.clusterTokenFile = clusterTokenFile }
        do {
            try settings.loadClusterToken()
        } catch {
            throw ValidationError("\(error)")
        }
        GutsNode.runConcurrencyOnEventLoops()
        let logger = NodeLogging.makeLogger(format: settings.logFormat, level: settings.logLevel)
        let node: GutsNode
        do {
            node = try GutsNode(configuration: settings, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("guts serve: \(error)\n".utf8))
            throw ExitCode(error is NodeConfigurationError ? 64 : 75)
        }
        try await node.run()
    }
}

extension NodeConfiguration.StorageKind: ExpressibleByArgument {}
extension NodeConfiguration.LogFormat: ExpressibleByArgument {}
