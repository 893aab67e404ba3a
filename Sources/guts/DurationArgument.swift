import ArgumentParser
import GutsAdmin

/// Parses durations like `30s`, `10m`, `7d`.
struct DurationArgument: ExpressibleByArgument {
    var seconds: Double
    init?(argument: String) {
        guard let seconds = try? AdminValueParser.seconds(argument) else { return nil }
        self.seconds = seconds
    }
}
