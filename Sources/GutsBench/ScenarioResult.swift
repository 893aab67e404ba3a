/// What one scenario measured.
public struct ScenarioResult: Sendable, Codable, Equatable {
    /// `storage`, `api`, `clone`, `push`, `connections` or `repos`.
    public var name: String
    /// The parameters it ran with, for the record.
    public var parameters: [String: String]
    public var metrics: [Metric]
    /// Caveats: what could not be measured and why.
    public var notes: [String]
    /// Latency percentile curves of the scenario's request classes, over all samples.
    public var curves: [LatencyCurve]?

    public init(
        name: String, parameters: [String: String] = [:], metrics: [Metric] = [], notes: [String] = [], curves: [LatencyCurve]? = nil
    ) {
        self.name = name
        self.parameters = parameters
        self.metrics = metrics
        self.notes = notes
        self.curves = curves
    }

    /// The metric called `name`, if any.
    public func metric(_ name: String) -> Metric? { metrics.first { $0.name == name } }
}
