import Prometheus

/// A Prometheus metric family: its name (with its unit and, for counters, `_total`) and
/// its help text, declared once so that every series of the family carries the same help,
/// which `PrometheusCollectorRegistry` requires.
public struct MetricFamily: Sendable {
    public let name: String
    public let help: String

    public init(_ name: String, _ help: String) {
        self.name = name
        self.help = help
    }
}

extension PrometheusCollectorRegistry {
    /// Sets the gauge of `family` with `labels` to `value`.
    public func set(_ family: MetricFamily, _ labels: [(String, String)] = [], to value: Double) {
        makeGauge(name: family.name, labels: labels, help: family.help).set(value)
    }

    /// Sets the counter of `family` with `labels` to a total another component keeps
    /// (a cache's hits): counters copied when metrics are collected. Callers serialize
    /// collections, so a reader never sees the reset without the increment.
    public func set(_ family: MetricFamily, _ labels: [(String, String)] = [], total: UInt64) {
        let counter = makeCounter(name: family.name, labels: labels, help: family.help)
        counter.reset()
        counter.increment(by: Int64(clamping: total))
    }

    /// Sets the counter of `family` with `labels` to a fractional total (seconds).
    public func set(_ family: MetricFamily, _ labels: [(String, String)] = [], total: Double) {
        let counter = makeCounter(name: family.name, labels: labels, help: family.help)
        counter.reset()
        counter.increment(by: max(0, total))
    }
}
