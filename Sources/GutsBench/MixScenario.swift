/// `mix`: API reads, clones, incremental fetches and pushes at once in a stated ratio
/// (`--mix`, `--mix-rate`), with percentiles per class; `samples` windows of `duration` seconds.
struct MixScenario: Sendable {
    let settings: BenchSettings
    let node: BenchNode
    let progress: BenchProgress

    func run() async throws -> ScenarioResult {
        let workload = try MixWorkload.prepare(
            settings: settings, node: node, ratio: settings.mix, rate: settings.mixRate, progress: progress)
        defer { workload.remove() }
        var windows: [[MixRatio.Class: MixWorkload.ClassResult]] = []
        for sample in 0..<max(1, settings.samples) {
            progress.report("mix: \(settings.mix) at \(settings.mixRate) ops/s, sample \(sample + 1)")
            windows.append(try await workload.run(duration: settings.duration, warmup: sample == 0 ? settings.warmup : 0))
        }
        var notes = [workload.note]
        if let error = windows.lazy.flatMap(\.values).compactMap(\.firstError).first { notes.append("first git error: \(error)") }
        return ScenarioResult(
            name: "mix", parameters: workload.parameters.merging(["samples": "\(windows.count)", "duration": "\(settings.duration)"]) { $1 },
            metrics: MixWorkload.metrics(windows), notes: notes, curves: MixWorkload.curves(windows))
    }
}
