import Foundation

/// A whole `guts bench` run: where and when it ran, and each scenario's results.
public struct BenchmarkReport: Sendable, Codable, Equatable {
    public var date: String
    /// `"embedded"` or the `--url` measured.
    public var target: String
    public var environment: BenchmarkEnvironment
    public var scenarios: [ScenarioResult]

    public init(date: String, target: String, environment: BenchmarkEnvironment, scenarios: [ScenarioResult]) {
        self.date = date
        self.target = target
        self.environment = environment
        self.scenarios = scenarios
    }

    /// Pretty, key-sorted JSON.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes a report written by `jsonData()`.
    public static func decode(_ data: Data) throws -> BenchmarkReport {
        try JSONDecoder().decode(BenchmarkReport.self, from: data)
    }
}
