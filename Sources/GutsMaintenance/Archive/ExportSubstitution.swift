import Foundation
import GutsGit

/// `export-subst`: every `$Format:<pretty format>$` in a file becomes that format
/// expanded for the archived commit, as `git log --pretty=format:` would print it.
///
/// Placeholders: `%H %h %T %t %P %p`, author and committer `n e a[d D i I t r]` (`%an`,
/// `%cd`, `%cr`...), `%d %D` (the refs pointing at the commit), `%s %b %B %n %%` and
/// `%x<hex>`. Abbreviations use `abbreviation` characters (git's automatic length for
/// the repository's size, without the check for ambiguity). Any other placeholder is left
/// as it is written, as git leaves unknown ones.
///
/// `%d %D %ar %cr` depend on more than the commit (its refs, the time now): `used`
/// records which were expanded, so a cached archive can be keyed by their values.
///
/// Unchecked `Sendable`: one archive build owns an instance and uses it from one thread at
/// a time (the service hands it to the build's thread and reads it after).
final class ExportSubstitution: @unchecked Sendable {
    /// What an expansion depends on besides the commit.
    enum Dependency: String, CaseIterable, Sendable {
        case decoration, authorRelativeDate, committerRelativeDate
    }

    let commit: Commit
    let id: ObjectID
    /// The moment relative dates are measured from.
    let now: Int64
    /// Counts the repository's objects only when a file asks for an abbreviation.
    private let measureAbbreviation: () -> Int
    private lazy var abbreviation = measureAbbreviation()
    /// Lists the refs only when a file asks for them (once, as git loads them once).
    private let listDecorations: () -> [String]
    private lazy var decorations = listDecorations()
    private(set) var used: Set<Dependency> = []

    init(commit: Commit, id: ObjectID, now: Int64, abbreviation: @escaping () -> Int, decorations: @escaping () -> [String] = { [] }) {
        self.commit = commit
        self.id = id
        self.now = now
        self.measureAbbreviation = abbreviation
        self.listDecorations = decorations
    }

    /// The expansions of `dependencies` now, one per line, for keying what they went into.
    func fingerprint(_ dependencies: Set<Dependency>) -> String {
        Dependency.allCases.filter(dependencies.contains).map { dependency in
            switch dependency {
            case .decoration: "\(dependency.rawValue) \(decorations.joined(separator: ", "))"
            case .authorRelativeDate: "\(dependency.rawValue) \(Self.relativeDate(commit.author.time, now: now))"
            case .committerRelativeDate: "\(dependency.rawValue) \(Self.relativeDate(commit.committer.time, now: now))"
            }
        }.joined(separator: "\n")
    }

    /// `content` with every `$Format:...$` replaced.
    func apply(_ content: [UInt8]) -> [UInt8] {
        let marker = Array("$Format:".utf8)
        var out: [UInt8] = []
        var rest = content[...]
        while let start = Self.find(marker, in: rest),
              let end = rest[(start + marker.count)...].firstIndex(of: UInt8(ascii: "$")) {
            out += rest[..<start]
            out += expand(rest[(start + marker.count)..<end])
            rest = rest[(end + 1)...]
        }
        return out + rest
    }

    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    func expand(_ format: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var index = format.startIndex
        while index < format.endIndex {
            guard format[index] == UInt8(ascii: "%"), index + 1 < format.endIndex else {
                out.append(format[index])
                index += 1
                continue
            }
            let rest = format[(index + 1)...]
            if let (text, used) = placeholder(rest) {
                out += text
                index += 1 + used
            } else {
                out.append(format[index])
                index += 1
            }
        }
        return out
    }

    /// The expansion of the placeholder at the start of `spec` and how many bytes it took.
    func placeholder(_ spec: ArraySlice<UInt8>) -> ([UInt8], Int)? {
        let first = Character(UnicodeScalar(spec[spec.startIndex]))
        let second = spec.count > 1 ? Character(UnicodeScalar(spec[spec.startIndex + 1])) : nil
        func text(_ value: String, _ used: Int) -> ([UInt8], Int) { (Array(value.utf8), used) }
        switch first {
        case "H": return text(id.hex, 1)
        case "h": return text(String(id.hex.prefix(abbreviation)), 1)
        case "T": return text(commit.tree.hex, 1)
        case "t": return text(String(commit.tree.hex.prefix(abbreviation)), 1)
        case "P": return text(commit.parents.map(\.hex).joined(separator: " "), 1)
        case "p": return text(commit.parents.map { String($0.hex.prefix(abbreviation)) }.joined(separator: " "), 1)
        case "n": return text("\n", 1)
        case "%": return text("%", 1)
        case "s": return text(subject, 1)
        case "b": return text(body, 1)
        case "B": return (commit.message, 1)
        case "d":
            used.insert(.decoration)
            return text(decorations.isEmpty ? "" : " (\(decorations.joined(separator: ", ")))", 1)
        case "D":
            used.insert(.decoration)
            return text(decorations.joined(separator: ", "), 1)
        case "x":
            // safe: UInt8(_:radix:) parses and returns nil on bad input, it does not trap.
            guard spec.count >= 3, let byte = UInt8(String(decoding: spec[(spec.startIndex + 1)...(spec.startIndex + 2)], as: UTF8.self), radix: 16) else { return nil }
            return ([byte], 3)
        case "a", "c":
            guard let second else { return nil }
            if second == "r" {
                used.insert(first == "a" ? .authorRelativeDate : .committerRelativeDate)
                return text(Self.relativeDate((first == "a" ? commit.author : commit.committer).time, now: now), 2)
            }
            guard let value = identity(first == "a" ? commit.author : commit.committer, second) else { return nil }
            return text(value, 2)
        default: return nil
        }
    }

    func identity(_ signature: Signature, _ field: Character) -> String? {
        switch field {
        case "n": signature.name
        case "e": signature.email
        case "t": String(signature.time)
        case "d": Self.date(signature, "EEE MMM d HH:mm:ss yyyy", zone: true)
        case "D": Self.date(signature, "EEE, d MMM yyyy HH:mm:ss", zone: true)
        case "i": Self.date(signature, "yyyy-MM-dd HH:mm:ss", zone: true)
        case "I": Self.date(signature, "yyyy-MM-dd'T'HH:mm:ss", zone: false) + Self.isoZone(signature.timezone)
        default: nil
        }
    }

    /// The first paragraph of the message on one line.
    var subject: String {
        let text = String(decoding: commit.message, as: UTF8.self)
        let paragraph = text.components(separatedBy: "\n\n").first ?? ""
        return paragraph.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// The message after the subject paragraph.
    var body: String {
        let text = String(decoding: commit.message, as: UTF8.self)
        guard let range = text.range(of: "\n\n") else { return "" }
        return String(text[range.upperBound...])
    }

    /// The time in the signature's own zone, formatted, followed by ` +hhmm` when `zone`.
    static func date(_ signature: Signature, _ format: String, zone: Bool) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = format
        formatter.timeZone = TimeZone(secondsFromGMT: offsetSeconds(signature.timezone)) ?? TimeZone(secondsFromGMT: 0)
        let value = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(signature.time)))
        return zone ? "\(value) \(signature.timezone)" : value
    }

    static func offsetSeconds(_ zone: String) -> Int {
        guard zone.count == 5, let value = Int(zone.dropFirst()) else { return 0 }
        let seconds = (value / 100) * 3600 + (value % 100) * 60
        return zone.hasPrefix("-") ? -seconds : seconds
    }

    static func isoZone(_ zone: String) -> String {
        guard zone.count == 5 else { return zone }
        return "\(zone.prefix(3)):\(zone.suffix(2))"
    }

    /// `time` relative to `now` the way git's `--date=relative` says it ("3 hours ago",
    /// "2 years, 1 month ago", "in the future"), in English.
    static func relativeDate(_ time: Int64, now: Int64) -> String {
        func ago(_ count: Int64, _ unit: String) -> String { "\(count) \(unit)\(count == 1 ? "" : "s") ago" }
        guard now >= time else { return "in the future" }
        var diff = now - time
        if diff < 90 { return ago(diff, "second") }
        diff = (diff + 30) / 60
        if diff < 90 { return ago(diff, "minute") }
        diff = (diff + 30) / 60
        if diff < 36 { return ago(diff, "hour") }
        let days = (diff + 12) / 24
        if days < 14 { return ago(days, "day") }
        if days < 70 { return ago((days + 3) / 7, "week") }
        if days < 365 { return ago((days + 15) / 30, "month") }
        if days < 1825 {
            let totalMonths = (days * 12 * 2 + 365) / (365 * 2)
            let years = totalMonths / 12, months = totalMonths % 12
            guard months > 0 else { return ago(years, "year") }
            return "\(years) year\(years == 1 ? "" : "s"), " + ago(months, "month")
        }
        return ago((days + 183) / 365, "year")
    }

    /// `%D` of a commit as `git archive` prints it: the refs pointing at it (annotated
    /// tags through their chain) as `tag: v1`, `main`, `origin/main` or the full name of
    /// others, in the reverse of ref order, after `HEAD` (`HEAD -> main` when HEAD's branch
    /// is one of them). `refs` are every ref with the commit each peels to (nil when it
    /// names no commit) and whether the peeling went through a tag.
    static func decorations(of commit: ObjectID, refs: [(name: String, peeled: ObjectID?, throughTag: Bool)], head: String?) -> [String] {
        var names: [String] = []
        var currentBranch: String?
        for ref in refs.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }).reversed() {
            // A replace ref marks the object its name gives, not the one it points at.
            if ref.name.hasPrefix("refs/replace/") {
                if ref.name == "refs/replace/\(commit.hex)" { names.append("replaced") }
                continue
            }
            guard ref.peeled == commit else { continue }
            if ref.name == head, ref.name.hasPrefix("refs/heads/"), !ref.throughTag {
                currentBranch = shortName(ref.name)
                continue
            }
            let tagged = ref.throughTag || ref.name.hasPrefix("refs/tags/")
            names.append((tagged ? "tag: " : "") + shortName(ref.name))
        }
        let headPointsHere = head.flatMap { head in refs.first { $0.name == head }?.peeled } == commit
        guard headPointsHere else { return names }
        return [currentBranch.map { "HEAD -> \($0)" } ?? "HEAD"] + names
    }

    /// A ref's name without `refs/heads/`, `refs/tags/` or `refs/remotes/`.
    static func shortName(_ ref: String) -> String {
        for prefix in ["refs/heads/", "refs/tags/", "refs/remotes/"] where ref.hasPrefix(prefix) {
            return String(ref.dropFirst(prefix.count))
        }
        return ref
    }

    /// git's automatic abbreviation length for a repository of `objects` objects: half
    /// the bits of the count, rounded up, at least 7.
    static func automaticAbbreviation(objects: Int) -> Int {
        var bits = 0
        while (1 << bits) < max(objects, 1) { bits += 1 }
        return max(7, (bits + 1) / 2)
    }
}
