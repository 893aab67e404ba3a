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
