import Foundation

/// What a finished run means: writes the HTML report and the saved baseline it was asked
/// for, then checks the `--fail-on` thresholds and the baseline, and answers the exit code
/// (0 passed, 1 regression against the baseline, 2 could not judge, 3 a threshold breached,
/// which wins over 1). Each finding is one line for stderr.
public struct BenchReview: Sendable {
    public var baselines: BaselineStore
    /// The baseline to compare with, and the one to save the run as (read before saving,
    /// so `--baseline X --save-baseline X` compares with the previous X).
    public var baseline: String?
    public var saveAs: String?
    public var htmlPath: String?
    public var thresholds: [Threshold]
    /// Regressions smaller than this fraction are noise.
    public var noise: Double

    public init(baselines: BaselineStore, baseline: String?, saveAs: String?, htmlPath: String?, thresholds: [Threshold], noise: Double) {
        self.baselines = baselines
        self.baseline = baseline
        self.saveAs = saveAs
        self.htmlPath = htmlPath
        self.thresholds = thresholds
        self.noise = noise
    }

    public func exitCode(for report: BenchmarkReport, log: (String) -> Void) -> Int32 {
        let loaded = baseline.map { name in Result { try baselines.load(name) } }
        let previous = try? loaded?.get()
        do {
            if let htmlPath {
                try Data(HTMLReport.render(report, baseline: previous, baselineName: baseline).utf8).write(to: URL(fileURLWithPath: htmlPath))
                log("wrote the HTML report to \(htmlPath)")
            }
            if let saveAs {
                try baselines.save(report, as: saveAs)
                log("saved baseline \(saveAs) to \(baselines.path(for: saveAs))")
            }
            if case .failure(let error) = loaded { throw error }
            var code: Int32 = 0
            let breaches = try ThresholdGate(thresholds).breaches(in: report)
            breaches.forEach { log("THRESHOLD \($0)") }
            if !breaches.isEmpty {
                code = 3
            } else if !thresholds.isEmpty {
                log("all \(thresholds.count) --fail-on thresholds hold")
            }
            if let baseline, let previous {
                let regressions = RegressionGate(threshold: noise).regressions(current: report, baseline: previous)
                regressions.forEach { log("REGRESSION \($0)") }
                if regressions.isEmpty {
                    log("no regression past \(noise * 100)% against baseline \(baseline)")
                } else if code == 0 {
                    code = 1
                }
            }
            return code
        } catch {
            log("guts bench: \(error)")
            return 2
        }
    }
}
