/// Shortens a demangled Swift name to what a person reads in a flame graph, like
/// `swift demangle --simplified` but keeping the module: `GutsGit.Pack.read(at:)` for
/// `GutsGit.Pack.read(at: Swift.Int) throws -> GutsGit.Object`, `closure in F` for
/// `closure #2 (Swift.Int) -> () in F`, no specialization, async-resume or forwarder
/// boilerplate. Thunks (reabstraction thunks, `thunk for`, protocol witnesses) are marked so a
/// symbolizer can fold them into their caller; so are forwarders (`partial apply forwarder for
/// F`), which read as `F` and fold when the frame beside them is `F` too.
///
/// Works on text only: it never fails, and a name it does not recognise comes back with just
/// its generic arguments and parameter types removed.
public enum SwiftNameSimplifier {
    public enum Role: Sendable, Hashable, Codable {
        case function
        /// Only adapts a call; fold into the caller.
        case thunk
        /// Calls the function it is named after; fold when a neighbouring frame has its name.
        case forwarder
    }

    public struct Readable: Sendable, Equatable {
        public var name: String
        public var role: Role
    }

    /// Prefixes that add nothing a reader needs; the name after them is the function itself.
    private static let boilerplate = ["merged ", "specialized ", "async function pointer to ", "@objc ", "static "]
    private static let forwarding = ["partial apply forwarder for ", "dispatch thunk of ", "partial apply for "]
    private static let thunks = [
        "reabstraction thunk", "thunk for ", "autoclosure thunk", "vtable thunk", "objc thunk",
    ]

    public static func simplify(_ demangled: String) -> Readable {
        var text = Substring(demangled)
        if let suffix = text.range(of: " with unmangled suffix ") { text = text[..<suffix.lowerBound] }
        var role = Role.function
        var stripped = true
        while stripped {
            stripped = false
            for prefix in boilerplate where text.hasPrefix(prefix) {
                text = text.dropFirst(prefix.count)
                stripped = true
            }
            for prefix in forwarding where text.hasPrefix(prefix) {
                text = text.dropFirst(prefix.count)
                role = .forwarder
                stripped = true
            }
            for prefix in ["generic specialization <", "function signature specialization <"] where text.hasPrefix(prefix) {
                // "<...> of " follows; skip the balanced angle brackets.
                let afterBracket = skipBalanced(text, from: text.index(text.startIndex, offsetBy: prefix.count - 1))
                let rest = text[afterBracket...]
                text = rest.hasPrefix(" of ") ? rest.dropFirst(4) : rest
                stripped = true
            }
            if text.first == "(", let close = text.firstIndex(of: ")"),
               text[close...].hasPrefix(") suspend resume partial function for ") || text[close...].hasPrefix(") await resume partial function for "),
               let connector = text[close...].range(of: " for ") {
                text = text[connector.upperBound...]
                stripped = true
            }
        }
        if text.hasPrefix("protocol witness for ") {
            let target = text.dropFirst("protocol witness for ".count)
            let requirement = topLevelRange(of: " in conformance ", in: target).map { target[..<$0.lowerBound] } ?? target
            return Readable(name: "protocol witness for " + function(requirement), role: .thunk)
        }
        if let thunk = thunks.first(where: { text.hasPrefix($0) }) {
            return Readable(name: thunk.hasSuffix(" ") ? String(thunk.dropLast(5)) : thunk, role: .thunk)
        }
        return Readable(name: entity(text), role: role)
    }

    /// A closure, a described entity (`default argument 1 of F`) or a function.
    private static func entity(_ text: Substring) -> String {
        for closure in ["implicit closure #", "closure #"] where text.hasPrefix(closure) {
            guard let inKeyword = topLevelRange(of: " in ", in: text) else { return "closure" }
            return "closure in " + entity(text[inKeyword.upperBound...])
        }
        if text.hasPrefix("default argument "), let of = text.range(of: " of ") {
            return "default argument of " + entity(text[of.upperBound...])
        }
        for described in ["key path getter for ", "key path setter for ", "outlined ", "one-time initialization function for ",
                          "variable initialization expression of ", "type metadata accessor for "]
        where text.hasPrefix(described) {
            let connectors = [text.range(of: " for "), text.range(of: " of ")].compactMap { $0 }
            guard let connector = connectors.min(by: { $0.lowerBound < $1.lowerBound }) else { break }
            let subject = text[connector.upperBound...]
            return String(text[..<connector.upperBound]) + (subject.hasPrefix("(") ? "(…)" : function(subject))
        }
        return function(text)
    }

    /// `Module.Type.method(label:_:)` from a function's full signature; accessors as `Type.property.getter`.
    static func function(_ text: Substring) -> String {
        let text = text.hasPrefix("static ") ? text.dropFirst("static ".count) : text
        var name = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if text[index...].hasPrefix("(extension in "), let close = text[index...].firstIndex(of: ":") {
                index = text.index(after: close)
                continue
            }
            if character == "(", let discriminated = privateName(text, at: index) {
                name += discriminated.name
                index = discriminated.end
                continue
            }
            if character == "<" && !name.isEmpty && !(name.last == " ") {
                index = skipBalanced(text, from: index)
                continue
            }
            if character == "(" {
                return simplifyModuleQualifiers(name.trimmingTrailingSpaces() + "(" + labels(text, open: index) + ")")
            }
            if text[index...].hasPrefix(" : ") { break }
            name.append(character)
            index = text.index(after: index)
        }
        return simplifyModuleQualifiers(name.trimmingTrailingSpaces())
    }

    /// `(Name in _0123ABC)`, a private entity's discriminator, as `Name`.
    private static func privateName(_ text: Substring, at open: Substring.Index) -> (name: String, end: Substring.Index)? {
        guard let close = text[open...].firstIndex(of: ")") else { return nil }
        let inside = text[text.index(after: open)..<close]
        guard let marker = inside.range(of: " in _"), !inside.contains("(") else { return nil }
        return (String(inside[..<marker.lowerBound]), text.index(after: close))
    }

    /// The argument labels of the parameter list opening at `open`: `x:_:`.
    private static func labels(_ text: Substring, open: Substring.Index) -> String {
        let close = skipBalanced(text, from: open)
        let inside = text[text.index(after: open)..<text.index(before: max(close, text.index(after: open)))]
        guard !inside.allSatisfy({ $0 == " " }) else { return "" }
        var result = ""
        for parameter in splitTopLevel(inside) {
            let trimmed = parameter.drop { $0 == " " }
            if let colon = trimmed.firstIndex(of: ":"), trimmed[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
               colon > trimmed.startIndex, trimmed[colon...].hasPrefix(": ") {
                result += trimmed[..<colon] + ":"
            } else {
                result += "_:"
            }
        }
        return result
    }

    /// Splits at commas outside brackets.
    private static func splitTopLevel(_ text: Substring) -> [Substring] {
        var parts: [Substring] = []
        var depth = 0
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if text[index...].hasPrefix("->") {
                index = text.index(index, offsetBy: 2)
                continue
            }
            if "([<{".contains(character) { depth += 1 }
            if ")]>}".contains(character) { depth = max(0, depth - 1) }
            if character == ",", depth == 0 {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        parts.append(text[start...])
        return parts
    }

    /// The first `needle` outside brackets.
    private static func topLevelRange(of needle: String, in text: Substring) -> Range<Substring.Index>? {
        var depth = 0
        var index = text.startIndex
        while index < text.endIndex {
            if text[index...].hasPrefix("->") {
                index = text.index(index, offsetBy: 2)
                continue
            }
            let character = text[index]
            if "([<{".contains(character) { depth += 1 }
            if ")]>}".contains(character) { depth = max(0, depth - 1) }
            if depth == 0, text[index...].hasPrefix(needle) { return index..<text.index(index, offsetBy: needle.count) }
            index = text.index(after: index)
        }
        return nil
    }

    /// The index after the bracket that closes the one at `open` (or the end when none does).
    private static func skipBalanced(_ text: Substring, from open: Substring.Index) -> Substring.Index {
        var depth = 0
        var index = open
        while index < text.endIndex {
            if text[index...].hasPrefix("->") {
                index = text.index(index, offsetBy: 2)
                continue
            }
            let character = text[index]
            if "([<{".contains(character) { depth += 1 }
            if ")]>}".contains(character) {
                depth -= 1
                if depth <= 0 { return text.index(after: index) }
            }
            index = text.index(after: index)
        }
        return text.endIndex
    }

    /// Drops `Swift.` where it qualifies a standard-library name.
    private static func simplifyModuleQualifiers(_ name: String) -> String {
        Demangler.simplify(name)
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
