/// One measured number of a scenario, with how to judge a change in it.
public struct Metric: Sendable, Codable, Equatable {
    /// Which way is better, for the regression gate; `informational` metrics are never gated.
    public enum Direction: String, Sendable, Codable {
        case lowerIsBetter, higherIsBetter, informational
    }

    /// Stable name within its scenario, e.g. `"read.p99"`.
    public var name: String
    /// The median over samples.
    public var value: Double
    public var unit: String
    public var direction: Direction
    /// (max - min) / median over samples; nil with a single sample.
    public var spread: Double?
    /// Repetitions the value is the median of.
    public var samples: Int
    public var target: SeedTarget?
    /// Each sample's value, in order, when the value is the median of several.
    public var sampleValues: [Double]?

    public init(
        _ name: String, _ value: Double, unit: String, direction: Direction, spread: Double? = nil, samples: Int = 1,
        target: SeedTarget? = nil, sampleValues: [Double]? = nil
    ) {
        self.name = name
        self.value = value
        self.unit = unit
        self.direction = direction
        self.spread = spread
        self.samples = samples
        self.target = target
        self.sampleValues = sampleValues
    }

    /// The median and spread of `values`.
    public init(
        _ name: String, samples values: [Double], unit: String, direction: Direction, target: SeedTarget? = nil
    ) {
        let summary = SampleSummary(values)
        self.init(
            name, summary.median, unit: unit, direction: direction, spread: values.count > 1 ? summary.spread : nil,
            samples: values.count, target: target, sampleValues: values.count > 1 ? values : nil)
    }
}
