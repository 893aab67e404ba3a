import ArgumentParser
import GutsAdmin
import GutsMaintenance

/// Parses sizes like `500M`, `2G`.
struct SizeArgument: ExpressibleByArgument {
    var bytes: Int
    init?(argument: String) {
        guard let bytes = try? AdminValueParser.bytes(argument) else { return nil }
        self.bytes = bytes
    }
}
