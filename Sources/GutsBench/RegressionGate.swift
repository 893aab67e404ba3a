/// Compares a run with a saved baseline and names every metric that got worse by more
/// than a noise threshold.
public struct RegressionGate: Sendable {
    /// One metric past the threshold.
    public struct Regression: Sendable, Equatable, CustomStringConvertible {
        public var scenario: String
        public var metric: String
        public var baseline: Double
        public var current: Double
        public var unit: String
        /// Relative change in the bad direction, e.g. 0.25 for 25% worse.
        public var change: Double

        public var description: String {
            "\(scenario).\(metric) regressed \(Int((change * 100).rounded()))%: \(ReportFormatter.format(baseline)) -> \(ReportFormatter.format(current)) \(unit)"
        }
    }

    /// Allowed relative worsening, e.g. 0.10.
    public var threshold: Double

    public init(threshold: Double = 0.10) {
        self.threshold = threshold
    }

    /// Regressions of `current` against `baseline`, for metrics present in both and not informational.
    public func regressions(current: BenchmarkReport, baseline: BenchmarkReport) -> [Regression] {
        var found: [Regression] = []
        for scenario in current.scenarios {
            guard let before = baseline.scenarios.first(where: { $0.name == scenario.name }) else { continue }
            for metric in scenario.metrics {
                guard let old = before.metric(metric.name), metric.direction != .informational else { continue }
                let change: Double
                switch metric.direction {
                case .lowerIsBetter:
                    guard old.value > 0 else { continue }
                    change = (metric.value - old.value) / old.value
                case .higherIsBetter:
                    guard old.value > 0 else { continue }
                    change = (old.value - metric.value) / old.value
                case .informational:
                    continue
                }
                if change > threshold {
                    found.append(Regression(
                        scenario: scenario.name, metric: metric.name, baseline: old.value, current: metric.value,
                        unit: metric.unit, change: change))
                }
            }
        }
        return found
    }
}
