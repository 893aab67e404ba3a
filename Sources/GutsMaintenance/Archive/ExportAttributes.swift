/// The `export-ignore` and `export-subst` attributes of paths, from the `.gitattributes`
/// files of the tree being archived, as `git archive` reads them.
///
/// Each `.gitattributes` applies to its own directory and below; deeper files win over
/// shallower ones and, within a file, later lines over earlier ones. Patterns follow
/// gitignore rules: one without a `/` matches the name at any depth, one with a `/` is
/// anchored at the file's directory (`*` stops at `/`, `**` crosses it), a trailing `/`
/// matches directories only. `attr`, `-attr` and `!attr` set, unset and reset an
/// attribute; `attr=value` does not count as set, as in git. Negative patterns and
/// macros are ignored, as git ignores them there.
public struct ExportAttributes: Sendable {
    struct Rule: Sendable {
        var pattern: [UInt8]
        var anchored: Bool
        var directoryOnly: Bool
        /// nil: unspecified (`!attr`); true: set; false: unset or given a value.
        var ignore: Bool??
        var subst: Bool??
    }

    /// One `.gitattributes` file: the directory it sits in (no trailing slash, empty at
    /// the root) and its rules in file order.
    struct File: Sendable {
        var directory: [UInt8]
        var rules: [Rule]
    }

    /// Files from the root down to the directory being walked.
    private(set) var files: [File] = []

    mutating func push(directory: [UInt8], content: [UInt8]) {
        files.append(File(directory: directory, rules: Self.parse(content)))
    }

    mutating func removeLast() {
        files.removeLast()
    }

    func isIgnored(_ path: [UInt8], isDirectory: Bool) -> Bool { state(path, isDirectory: isDirectory, \.ignore) }
    func isSubstituted(_ path: [UInt8]) -> Bool { state(path, isDirectory: false, \.subst) }

    private func state(_ path: [UInt8], isDirectory: Bool, _ attribute: KeyPath<Rule, Bool??>) -> Bool {
        for file in files.reversed() {
            let relative: ArraySlice<UInt8>
            if file.directory.isEmpty {
                relative = path[...]
            } else {
                guard path.count > file.directory.count, path.starts(with: file.directory), path[file.directory.count] == UInt8(ascii: "/") else { continue }
                relative = path[(file.directory.count + 1)...]
            }
            for rule in file.rules.reversed() {
                guard let value = rule[keyPath: attribute], Self.matches(rule, relative, isDirectory: isDirectory) else { continue }
                return value ?? false
            }
        }
        return false
    }

    static func matches(_ rule: Rule, _ relative: ArraySlice<UInt8>, isDirectory: Bool) -> Bool {
        if rule.directoryOnly && !isDirectory { return false }
        if rule.anchored { return wildmatch(rule.pattern[...], Array(relative)[...], pathname: true) }
        let name = relative.lastIndex(of: UInt8(ascii: "/")).map { relative[($0 + 1)...] } ?? relative
        return wildmatch(rule.pattern[...], Array(name)[...], pathname: false)
    }

    static func parse(_ content: [UInt8]) -> [Rule] {
        var rules: [Rule] = []
        for rawLine in content.split(separator: UInt8(ascii: "\n")) {
            var line = Array(rawLine)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            let fields = line.split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.map(Array.init)
            guard var pattern = fields.first, pattern.first != UInt8(ascii: "#"), pattern.first != UInt8(ascii: "!") else { continue }
            if pattern.starts(with: Array("[attr]".utf8)) { continue }
            var rule = Rule(pattern: [], anchored: false, directoryOnly: false, ignore: .none, subst: .none)
            if pattern.count > 1, pattern.last == UInt8(ascii: "/") {
                rule.directoryOnly = true
                pattern.removeLast()
            }
            if pattern.first == UInt8(ascii: "/") {
                pattern.removeFirst()
                rule.anchored = true
            }
            if pattern.contains(UInt8(ascii: "/")) { rule.anchored = true }
            rule.pattern = pattern
            for field in fields.dropFirst() {
                var name = field[...]
                var value: Bool? = true
                if name.first == UInt8(ascii: "-") { value = false; name = name.dropFirst() }
                else if name.first == UInt8(ascii: "!") { value = nil; name = name.dropFirst() }
                else if let equals = name.firstIndex(of: UInt8(ascii: "=")) { value = false; name = name[..<equals] }
                switch String(decoding: name, as: UTF8.self) {
                case "export-ignore": rule.ignore = .some(value)
                case "export-subst": rule.subst = .some(value)
                default: break
                }
            }
            if rule.ignore != nil || rule.subst != nil { rules.append(rule) }
        }
        return rules
    }

    /// gitignore-style matching: `?`, `*`, `[...]` (with `!`/`^` and ranges), `\\x`, and,
    /// with `pathname`, `*` not crossing `/` while `**/`, `/**` and `/**/` do.
    public static func wildmatch(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>, pathname: Bool) -> Bool {
        let slash = UInt8(ascii: "/")
        var p = pattern.startIndex
        var t = text.startIndex
        while p < pattern.endIndex {
            let c = pattern[p]
            switch c {
            case UInt8(ascii: "?"):
                guard t < text.endIndex, !(pathname && text[t] == slash) else { return false }
                p += 1
                t += 1
            case UInt8(ascii: "*"):
                var q = p
                while q < pattern.endIndex, pattern[q] == UInt8(ascii: "*") { q += 1 }
                let doubled = q - p >= 2
                let atSegmentStart = p == pattern.startIndex || pattern[p - 1] == slash
                let atSegmentEnd = q == pattern.endIndex || pattern[q] == slash
                if pathname && doubled && atSegmentStart && atSegmentEnd {
                    // `**/x` matches x at any depth; a trailing `**` matches everything left.
                    if q == pattern.endIndex { return true }
                    let rest = pattern[(q + 1)...]
                    var start = t
                    while true {
                        if wildmatch(rest, text[start...], pathname: pathname) { return true }
                        guard let next = text[start...].firstIndex(of: slash) else { return false }
                        start = next + 1
                    }
                }
                let rest = pattern[q...]
                var end = t
                while true {
                    if wildmatch(rest, text[end...], pathname: pathname) { return true }
                    guard end < text.endIndex, !(pathname && text[end] == slash) else { return false }
                    end += 1
                }
            case UInt8(ascii: "["):
                guard t < text.endIndex, !(pathname && text[t] == slash) else { return false }
                var q = p + 1
                var negate = false
                if q < pattern.endIndex, pattern[q] == UInt8(ascii: "!") || pattern[q] == UInt8(ascii: "^") { negate = true; q += 1 }
                var matched = false
                var first = true
                while q < pattern.endIndex, first || pattern[q] != UInt8(ascii: "]") {
                    first = false
                    var low = pattern[q]
                    if low == UInt8(ascii: "\\"), q + 1 < pattern.endIndex { q += 1; low = pattern[q] }
                    var high = low
                    if q + 2 < pattern.endIndex, pattern[q + 1] == UInt8(ascii: "-"), pattern[q + 2] != UInt8(ascii: "]") {
                        high = pattern[q + 2]
                        q += 2
                    }
                    if (low...max(low, high)).contains(text[t]) { matched = true }
                    q += 1
                }
                guard q < pattern.endIndex, matched != negate else { return false }
                p = q + 1
                t += 1
            default:
                var literal = c
                if c == UInt8(ascii: "\\"), p + 1 < pattern.endIndex { p += 1; literal = pattern[p] }
                guard t < text.endIndex, text[t] == literal else { return false }
                p += 1
                t += 1
            }
        }
        return t == text.endIndex
    }
}
