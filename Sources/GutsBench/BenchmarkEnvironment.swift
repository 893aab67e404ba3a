import Foundation
import GutsStorage

/// The machine and build a result came from.
public struct BenchmarkEnvironment: Sendable, Codable, Equatable {
    public var cpuModel: String
    public var cores: Int
    public var kernel: String
    public var buildConfiguration: String
    public var rocksDBOptions: String
    public var hostname: String

    public init(cpuModel: String, cores: Int, kernel: String, buildConfiguration: String, rocksDBOptions: String, hostname: String) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.kernel = kernel
        self.buildConfiguration = buildConfiguration
        self.rocksDBOptions = rocksDBOptions
        self.hostname = hostname
    }

    /// Reads this machine: `/proc/cpuinfo`, `uname`, the compile-time build configuration and
    /// the RocksDB options an embedded node uses.
    public static func current() -> BenchmarkEnvironment {
        var model = "unknown"
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let options = RocksDBStore.Options()
        let rocksDB = "blockCache=\(options.blockCacheBytes) writeBuffer=\(options.writeBufferBytes) bloomBits=\(options.bloomBitsPerKey) "
            + "syncWrites=\(options.syncWrites) maxOpenFiles=\(options.maxOpenFiles) backgroundThreads=\(options.backgroundThreads) "
            + "compression=" + options.compression.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
        return BenchmarkEnvironment(
            cpuModel: model, cores: ProcessInfo.processInfo.activeProcessorCount,
            kernel: "\(field(name.sysname)) \(field(name.release)) \(field(name.machine))",
            buildConfiguration: build, rocksDBOptions: rocksDB, hostname: field(name.nodename))
    }
}
