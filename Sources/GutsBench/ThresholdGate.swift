/// Checks a report against absolute thresholds (`--fail-on`) and names every one it breaches.
public struct ThresholdGate: Sendable {
    /// A threshold the report does not meet.
    public struct Breach: Sendable, Equatable, CustomStringConvertible {
        public var threshold: Threshold
        /// The metric's value, in `unit`.
        public var value: Double
        public var unit: String

        public var description: String {
            "\(threshold.metric) = \(ReportFormatter.format(value)) \(unit), breaching \(threshold)"
        }
    }

    public var thresholds: [Threshold]

    public init(_ thresholds: [Threshold]) {
        self.thresholds = thresholds
    }

    /// The thresholds `report` breaches, in the order given. Throws `BenchError.unknownMetric`
    /// for a threshold naming no metric of the report, and `BenchError.incompatibleUnit` for
    /// one whose unit does not convert to the metric's.
    public func breaches(in report: BenchmarkReport) throws -> [Breach] {
        var found: [Breach] = []
        for threshold in thresholds {
            guard let metric = Self.metric(named: threshold.metric, in: report) else {
                let scenario = threshold.metric.split(separator: ".").first.map(String.init) ?? ""
                let known = report.scenarios.first { $0.name == scenario }?.metrics.map { "\(scenario).\($0.name)" } ?? []
                throw BenchError.unknownMetric(threshold.metric, known: known.isEmpty ? report.scenarios.map(\.name) : known)
            }
            guard let limit = threshold.limit(in: metric.unit) else {
                throw BenchError.incompatibleUnit(threshold: "\(threshold)", metricUnit: metric.unit)
            }
            if !threshold.comparison.holds(metric.value, limit) {
                found.append(Breach(threshold: threshold, value: metric.value, unit: metric.unit))
            }
        }
        return found
    }

    /// The metric `scenario.metric`; metric names contain dots, so the scenario is matched as a prefix.
    static func metric(named name: String, in report: BenchmarkReport) -> Metric? {
        for scenario in report.scenarios where name.hasPrefix(scenario.name + ".") {
            if let metric = scenario.metric(String(name.dropFirst(scenario.name.count + 1))) { return metric }
        }
        return nil
    }
}
