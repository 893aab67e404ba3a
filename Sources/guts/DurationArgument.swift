import ArgumentParser
import GutsAdmin
import GutsMaintenance

/// Parses durations like `30s`, `10m`, `7d`.
struct DurationArgument: ExpressibleByArgument {
    var seconds: Double

    init(seconds: Double) {
        self.seconds = seconds
    }

    init?(argument: String) {
        guard let seconds = try? AdminValueParser.seconds(argument) else { return nil }
        self.seconds = seconds
    }

    var defaultValueDescription: String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
