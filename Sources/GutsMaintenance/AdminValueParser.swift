/// Parses the duration and size arguments of the admin commands.
public enum AdminValueParser {
    /// `90`, `500ms`, `90s`, `15m`, `2h`, `7d`, `1w` → seconds.
    public static func seconds(_ text: String) throws -> Double {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        var number = Substring(text)
        var scale = 1.0
        if text.hasSuffix("ms") {
            number = number.dropLast(2)
            scale = 0.001
        } else if let last = text.last, let unit = units[last] {
            number = number.dropLast()
            scale = unit
        }
        guard let value = Double(number), value >= 0 else { throw AdminError.usage("bad duration '\(text)' (use e.g. 30s, 10m, 2h, 7d)") }
        return value * scale
    }

    /// `1048576`, `512K`, `100M`, `2G` (powers of 1024) → bytes.
    public static func bytes(_ text: String) throws -> Int {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var number = Substring(text.uppercased())
        if number.hasSuffix("B") { number = number.dropLast() }
        var scale = 1
        if let last = number.last, let unit = units[last] {
            number = number.dropLast()
            scale = unit
        }
        guard let value = Int(number), value >= 0 else { throw AdminError.usage("bad size '\(text)' (use e.g. 500M, 2G)") }
        return value * scale
    }
}
