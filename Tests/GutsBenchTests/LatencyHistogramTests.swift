import Testing
@testable import GutsBench

@Suite struct LatencyHistogramTests {
    @Test func percentilesAreExactOnSmallValues() {
        var histogram = LatencyHistogram()
        for value in 1...1000 { histogram.record(UInt64(value)) }
        #expect(histogram.totalCount == 1000)
        #expect(histogram.value(atPercentile: 50) == 500)
        #expect(histogram.value(atPercentile: 90) == 900)
        #expect(histogram.value(atPercentile: 95) == 950)
        #expect(histogram.value(atPercentile: 99) == 990)
        #expect(histogram.value(atPercentile: 99.9) == 999)
        #expect(histogram.value(atPercentile: 100) == 1000)
        #expect(histogram.minimum == 1)
        #expect(histogram.maximum == 1000)
        #expect(histogram.mean == 500.5)
    }

    @Test func largeValuesStayWithinOnePartInAThousand() {
        var histogram = LatencyHistogram()
        let values: [UInt64] = [1_000_000, 2_000_000, 3_000_000, 40_000_000, 123_456_789]
        for value in values { histogram.record(value) }
        for (index, value) in values.enumerated() {
            let percentile = Double(index + 1) / Double(values.count) * 100
            let reported = histogram.value(atPercentile: percentile)
            #expect(reported >= value)
            #expect(Double(reported - value) <= Double(value) / 1000)
        }
        #expect(histogram.value(atPercentile: 100) == 123_456_789)
    }

    @Test func mergeAddsCountsAndCoordinatedOmissionFillsGaps() {
        var left = LatencyHistogram()
        var right = LatencyHistogram()
        for value in 1...10 { left.record(UInt64(value)) }
        for value in 11...20 { right.record(UInt64(value)) }
        left.merge(right)
        #expect(left.totalCount == 20)
        #expect(left.value(atPercentile: 50) == 10)
        #expect(left.maximum == 20)

        var corrected = LatencyHistogram()
        corrected.record(100, expectedInterval: 10)
        #expect(corrected.totalCount == 10)
        #expect(corrected.minimum == 10)
        #expect(corrected.value(atPercentile: 100) == 100)
    }

    @Test func emptyHistogramReportsZero() {
        let histogram = LatencyHistogram()
        #expect(histogram.value(atPercentile: 99) == 0)
        #expect(histogram.mean == 0)
    }
}
