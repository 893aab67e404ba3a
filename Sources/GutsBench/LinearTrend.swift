/// The least-squares line through points, for a soak run's drift: slope, intercept and how much
/// of the variation the line explains (r²).
public struct LinearTrend: Sendable, Equatable {
    public var slope: Double
    public var intercept: Double
    /// 1 when every point is on the line, 0 when the line explains nothing; 0 for a flat series.
    public var rSquared: Double
    public var mean: Double

    /// The fit of `points` (x, y); nil with fewer than two distinct x values.
    public init?(_ points: [(x: Double, y: Double)]) {
        guard points.count >= 2 else { return nil }
        let count = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.x } / count
        let meanY = points.reduce(0) { $0 + $1.y } / count
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for point in points {
            covariance += (point.x - meanX) * (point.y - meanY)
            varianceX += (point.x - meanX) * (point.x - meanX)
            varianceY += (point.y - meanY) * (point.y - meanY)
        }
        guard varianceX > 0 else { return nil }
        slope = covariance / varianceX
        intercept = meanY - slope * meanX
        rSquared = varianceY > 0 ? covariance * covariance / (varianceX * varianceY) : 0
        mean = meanY
    }

    /// The change the line predicts over `span` of x, relative to the mean (0 when the mean is 0).
    public func relativeChange(over span: Double) -> Double {
        mean == 0 ? 0 : slope * span / abs(mean)
    }
}
