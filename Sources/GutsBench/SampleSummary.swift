/// Median, minimum, maximum and relative spread of repeated measurements.
public struct SampleSummary: Sendable, Equatable {
    public var median: Double
    public var minimum: Double
    public var maximum: Double

    public init(_ values: [Double]) {
        let sorted = values.sorted()
        if sorted.isEmpty {
            median = 0
            minimum = 0
            maximum = 0
        } else {
            let middle = sorted.count / 2
            median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
            minimum = sorted[0]
            maximum = sorted[sorted.count - 1]
        }
    }

    /// (max - min) / median, or 0 when the median is 0.
    public var spread: Double { median == 0 ? 0 : (maximum - minimum) / median }
}
