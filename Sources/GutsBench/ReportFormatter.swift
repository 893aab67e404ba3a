/// Renders a report as a plain-text table.
public enum ReportFormatter {
    /// One row per metric: scenario, metric, value, unit, spread, target and whether it is met.
    public static func table(_ report: BenchmarkReport) -> String {
        var rows: [[String]] = [["scenario", "metric", "value", "unit", "spread", "n", "target", "met"]]
        for scenario in report.scenarios {
            for metric in scenario.metrics {
                rows.append([
                    scenario.name, metric.name, format(metric.value), metric.unit,
                    metric.spread.map { "±\(format($0 * 50))%" } ?? "-", "\(metric.samples)",
                    metric.target?.label ?? "", metric.target.map { $0.isMet(by: metric.value) ? "yes" : "NO" } ?? "",
                ])
            }
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            zip(row, widths).enumerated().map { column, cell in
                let padding = String(repeating: " ", count: cell.1 - cell.0.count)
                return column == 2 ? padding + cell.0 : cell.0 + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        lines.insert(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)), at: 1)
        var header = [
            "guts bench \(report.date) target=\(report.target)",
            "cpu: \(report.environment.cpuModel) x\(report.environment.cores); kernel \(report.environment.kernel); build \(report.environment.buildConfiguration)",
        ]
        for scenario in report.scenarios where !scenario.notes.isEmpty {
            header += scenario.notes.map { "note (\(scenario.name)): \($0)" }
        }
        return (header + [""] + lines).joined(separator: "\n") + "\n"
    }

    /// A number with about four significant digits, no exponent.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let magnitude = abs(value)
        let decimals = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : magnitude >= 1 ? 3 : 4
        var text = decimals == 0 ? String(Int(value.rounded())) : String(value.rounded(toPlaces: decimals))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

extension Double {
    fileprivate func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
