import Foundation
import GutsStorage

/// `storage`: the object store against raw RocksDB across backends, sizes, threads and batching.
struct StorageScenario: Sendable {
    let settings: BenchSettings

    func run() throws -> ScenarioResult {
        let directory = try GitRunner.temporaryDirectory("storage")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = settings.storage
        var samples: [String: [StorageBenchmarkResult]] = [:]
        var order: [String] = []
        for sample in 0..<max(1, settings.samples) {
            let sampleDirectory = directory + "/\(sample)"
            for row in try StorageBenchmark.runMatrix(dataDirectory: sampleDirectory, configuration: configuration) {
                let name = "\(row.backend).\(row.path == "rocksdb" ? "raw" : "objects").\(row.operation).\(Self.sizeLabel(row.objectSize)).t\(row.threads).b\(row.batchSize)"
                if samples[name] == nil { order.append(name) }
                samples[name, default: []].append(row)
            }
            try? FileManager.default.removeItem(atPath: sampleDirectory)
        }
        var metrics: [Metric] = []
        for name in order {
            let rows = samples[name] ?? []
            metrics.append(Metric(name + ".ops", samples: rows.map(\.opsPerSecond), unit: "ops/s", direction: .higherIsBetter))
            metrics.append(Metric(name + ".MBps", samples: rows.map(\.megabytesPerSecond), unit: "MB/s", direction: .informational))
            let ratios = rows.compactMap(\.overheadRatio)
            if !ratios.isEmpty {
                metrics.append(Metric(name + ".overhead", samples: ratios, unit: "x raw", direction: .informational))
            }
        }
        return ScenarioResult(
            name: "storage",
            parameters: [
                "backends": configuration.backends.map(\.rawValue).joined(separator: ","),
                "sizes": configuration.objectSizes.map(Self.sizeLabel).joined(separator: ","),
                "count": "\(configuration.count)", "threads": configuration.threads.map(String.init).joined(separator: ","),
                "batches": configuration.batchSizes.map(String.init).joined(separator: ","),
            ],
            metrics: metrics,
            notes: ["runs in this process on a temporary directory, also with --url; get = object cache miss, get-cached = hit"])
    }

    static func sizeLabel(_ size: Int) -> String {
        size >= 1 << 20 && size % (1 << 20) == 0 ? "\(size >> 20)MiB" : size >= 1024 && size % 1024 == 0 ? "\(size >> 10)KiB" : "\(size)B"
    }
}
