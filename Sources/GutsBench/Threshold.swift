/// An absolute limit on one metric of a report, as `--fail-on` takes it: `METRIC<VALUE[unit]`
/// with `<`, `<=`, `>` or `>=`, e.g. `api.read.p99<20ms` or `clone.throughput>=50MB/s`.
///
/// `METRIC` is the scenario and the metric name joined by a dot, as the report table shows
/// them. A value without a unit is in the metric's own unit; with one, it is converted to the
/// metric's unit when both measure the same thing (time, bytes, bytes per second), and must be
/// spelled like the metric's unit otherwise (`req/s`, `count`).
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    public enum Comparison: String, Sendable, CaseIterable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

        func holds(_ value: Double, _ limit: Double) -> Bool {
            switch self {
            case .less: value < limit
            case .lessOrEqual: value <= limit
            case .greater: value > limit
            case .greaterOrEqual: value >= limit
            }
        }
    }

    /// `scenario.metric`, e.g. `api.read.p99`.
    public var metric: String
    public var comparison: Comparison
    public var value: Double
    /// The unit `value` is written in; nil means the metric's own unit.
    public var unit: String?

    public init(metric: String, comparison: Comparison, value: Double, unit: String? = nil) {
        self.metric = metric
        self.comparison = comparison
        self.value = value
        self.unit = unit
    }

    /// Parses `METRIC<VALUE[unit]`; throws `BenchError.invalidThreshold` naming what is wrong.
    public init(parsing text: String) throws {
        func invalid(_ reason: String) -> BenchError { .invalidThreshold(text, reason: reason) }
        let characters = Array(text)
        guard let operatorStart = characters.firstIndex(where: { $0 == "<" || $0 == ">" }) else {
            throw invalid("expected METRIC<VALUE, METRIC<=VALUE, METRIC>VALUE or METRIC>=VALUE")
        }
        var operatorEnd = operatorStart + 1
        if operatorEnd < characters.count, characters[operatorEnd] == "=" { operatorEnd += 1 }
        let name = String(characters[..<operatorStart]).trimmingSpaces()
        guard !name.isEmpty else { throw invalid("no metric name before the comparison") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
            throw invalid("a metric name is letters, digits, '.', '_' and '-'")
        }
        guard let comparison = Comparison(rawValue: String(characters[operatorStart..<operatorEnd])) else {
            throw invalid("unknown comparison")  // unreachable: the operator is one of the four
        }
        let rest = Array(String(characters[operatorEnd...]).trimmingSpaces())
        let numberLength = Self.numberPrefixLength(rest)
        guard numberLength > 0, let value = Double(String(rest[..<numberLength])), value.isFinite else {
            throw invalid("expected a number after '\(comparison.rawValue)'")
        }
        let unit = String(rest[numberLength...]).trimmingSpaces()
        if !unit.isEmpty, unit.contains(where: { $0 == "<" || $0 == ">" || $0 == "=" || $0 == " " }) {
            throw invalid("unexpected '\(unit)' after the value")
        }
        self.init(metric: name, comparison: comparison, value: value, unit: unit.isEmpty ? nil : unit)
    }

    /// The limit in `metricUnit`, or nil when `unit` cannot be converted to it.
    public func limit(in metricUnit: String) -> Double? {
        guard let unit, unit != metricUnit else { return value }
        guard let from = Self.scale(of: unit), let to = Self.scale(of: metricUnit), from.dimension == to.dimension else { return nil }
        return value * from.factor / to.factor
    }

    public var description: String {
        "\(metric)\(comparison.rawValue)\(ReportFormatter.format(value))\(unit ?? "")"
    }

    /// Length of the leading decimal number (sign, digits, point, exponent) of `characters`.
    static func numberPrefixLength(_ characters: [Character]) -> Int {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < characters.count, characters[index].isASCII, characters[index].isNumber { index += 1 }
            return index - start
        }
        if index < characters.count, characters[index] == "-" || characters[index] == "+" { index += 1 }
        var mantissa = digits()
        if index < characters.count, characters[index] == "." {
            index += 1
            mantissa += digits()
        }
        guard mantissa > 0 else { return 0 }
        let beforeExponent = index
        if index < characters.count, characters[index] == "e" || characters[index] == "E" {
            index += 1
            if index < characters.count, characters[index] == "-" || characters[index] == "+" { index += 1 }
            if digits() == 0 { index = beforeExponent }
        }
        return index
    }

    /// What a unit measures and its size in that dimension's base unit (seconds, bytes).
    static func scale(of unit: String) -> (dimension: String, factor: Double)? {
        let perSecond = unit.hasSuffix("/s")
        let base = perSecond ? String(unit.dropLast(2)) : unit
        let factors: [String: (String, Double)] = [
            "ns": ("time", 1e-9), "us": ("time", 1e-6), "µs": ("time", 1e-6), "ms": ("time", 1e-3), "s": ("time", 1),
            "B": ("bytes", 1), "KB": ("bytes", 1e3), "MB": ("bytes", 1e6), "GB": ("bytes", 1e9),
            "KiB": ("bytes", 1024), "MiB": ("bytes", 1_048_576), "GiB": ("bytes", 1_073_741_824),
        ]
        guard let (dimension, factor) = factors[base] else { return nil }
        if perSecond {
            guard dimension == "bytes" else { return nil }
            return ("bytes/s", factor)
        }
        return (dimension, factor)
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
