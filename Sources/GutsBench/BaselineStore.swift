import Foundation

/// Saved reports under a directory (default `.guts-bench/`), one `NAME.json` each.
public struct BaselineStore: Sendable {
    public var directory: String

    public init(directory: String = ".guts-bench") {
        self.directory = directory
    }

    /// The file a baseline called `name` lives in.
    public func path(for name: String) -> String {
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        return directory + "/" + safe + ".json"
    }

    /// Writes `report` as baseline `name`, replacing any earlier one.
    public func save(_ report: BenchmarkReport, as name: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try report.jsonData().write(to: URL(fileURLWithPath: path(for: name)), options: .atomic)
    }

    /// Reads baseline `name`.
    public func load(_ name: String) throws -> BenchmarkReport {
        let file = path(for: name)
        guard let data = FileManager.default.contents(atPath: file) else { throw BenchError.baselineMissing(path: file) }
        do {
            return try BenchmarkReport.decode(data)
        } catch {
            throw BenchError.baselineUnreadable(path: file, reason: "\(error)")
        }
    }
}
