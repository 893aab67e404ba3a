/// The folded-stacks text format of flamegraph.pl and speedscope:
/// one line per distinct stack, `root;frame;leaf count`.
public enum FoldedStacks {
    /// Encodes `profile`, merging stacks with equal names, lines sorted for stable output.
    public static func encode(_ profile: Profile) -> String {
        var counts: [String: Int] = [:]
        for sample in profile.samples where sample.count > 0 {
            let key = sample.frames.isEmpty ? "[empty]" : sample.frames.map { sanitize($0.name) }.joined(separator: ";")
            counts[key, default: 0] += sample.count
        }
        var output = ""
        for key in counts.keys.sorted() {
            output += "\(key) \(counts[key]!)\n"
        }
        return output
    }

    /// Parses folded text into a profile (frames carry names only).
    public static func parse(_ text: String) throws(ProfilerError) -> Profile {
        var samples: [Profile.Sample] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            guard let space = line.lastIndex(of: " "),
                  let count = Int(line[line.index(after: space)...]), count >= 0 else {
                throw .malformedInput("folded line \(lineNumber) does not end with a sample count")
            }
            let stack = line[..<space]
            guard !stack.isEmpty else { throw .malformedInput("folded line \(lineNumber) has no frames") }
            let frames = stack.split(separator: ";", omittingEmptySubsequences: false).map { Profile.Frame(name: String($0)) }
            samples.append(Profile.Sample(frames: frames, count: count))
        }
        return Profile(samples: samples)
    }

    /// Frame names cannot contain the separators of the format.
    static func sanitize(_ name: String) -> String {
        guard name.contains(where: { $0 == ";" || $0 == "\n" || $0 == "\r" }) else { return name }
        return String(name.map { $0 == ";" ? ":" : ($0 == "\n" || $0 == "\r" ? " " : $0) })
    }
}
