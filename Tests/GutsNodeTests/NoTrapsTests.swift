import Foundation
import Testing

/// Nothing that comes from the network may reach a trap: a `precondition`, `fatalError`,
/// force unwrap, `try!`, `as!` or an integer conversion that traps when out of range.
/// Every such use in the modules that handle network input carries a `safe:` comment
/// on its line or the line above, saying why it cannot trap; a new one without fails here.
@Suite struct NoTrapsTests {
    static let modules = [
        "Sources/GutsCompression", "Sources/GutsGit", "Sources/GutsStorage", "Sources/GutsNode",
        "Sources/GutsMaintenance/Archive", "Sources/GutsMaintenance/Contract", "Sources/GutsMaintenance/Operations",
    ]

    static let pattern =
        #"precondition\(|preconditionFailure\(|fatalError\(|try!|as!|[\w\)\]]!(?!=)|\b(?:UInt(?:8|16|32)?|Int(?:8|16|32)|uInt|uLong|CInt)\((?!truncatingIfNeeded|exactly|bitPattern|clamping|ascii)"#

    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `path:line: text` for every unexplained trap in `source`.
    static func unexplainedTraps(in source: String, path: String) -> [String] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.indices.compactMap { index in
            let line = lines[index]
            let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard code.range(of: pattern, options: .regularExpression) != nil else { return nil }
            let explained = line.contains("safe:") || (index > 0 && lines[index - 1].contains("safe:"))
            return explained ? nil : "\(path):\(index + 1): \(line.trimmingCharacters(in: .whitespaces))"
        }
    }

    @Test func theScannerFindsEachKindOfTrapAndAcceptsAnExplainedOne() {
        for sample in ["precondition(x)", "fatalError()", "let a = b!", "try! f()", "x as! Y", "UInt16(name.count)", "uInt(n)", "f()!.g"] {
            #expect(Self.unexplainedTraps(in: sample, path: "t").count == 1, "\(sample)")
        }
        for sample in ["a != b", "!flag", "UInt8(truncatingIfNeeded: x)", "UInt8(ascii: \"a\")", "x! // safe: checked above",
                       "// safe: set in init\nlet y = x!", "// precondition(x) in a comment"] {
            #expect(Self.unexplainedTraps(in: sample, path: "t").isEmpty, "\(sample)")
        }
    }

    @Test func networkFacingModulesHaveNoUnexplainedTraps() throws {
        var found = [String]()
        for module in Self.modules {
            let directory = Self.root.appendingPathComponent(module)
            let files = try #require(FileManager.default.enumerator(atPath: directory.path)).compactMap { $0 as? String }
            for file in files where file.hasSuffix(".swift") && !file.hasPrefix("StorageBenchmark") {
                let source = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                found += Self.unexplainedTraps(in: source, path: "\(module)/\(file)")
            }
        }
        #expect(found.isEmpty, "unexplained traps:\n\(found.joined(separator: "\n"))")
    }
}
