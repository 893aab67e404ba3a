/// Ref name rules: the basics of `git check-ref-format` for names under `refs/`.
public enum RefName {
    /// Throws `StorageError.invalidRefName` naming the first broken rule.
    public static func validate(_ name: String) throws {
        func fail(_ reason: String) -> StorageError { .invalidRefName(name, reason: reason) }
        guard name.hasPrefix("refs/") else { throw fail("must start with 'refs/'") }
        guard !name.hasSuffix("/") else { throw fail("must not end with '/'") }
        guard !name.hasSuffix(".lock") else { throw fail("must not end with '.lock'") }
        guard !name.hasSuffix(".") else { throw fail("must not end with '.'") }
        guard !name.contains("..") else { throw fail("must not contain '..'") }
        guard !name.contains("//") else { throw fail("must not contain '//'") }
        guard !name.contains("@{") else { throw fail("must not contain '@{'") }
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { throw fail("must not contain control characters") }
            if " ~^:?*[\\".unicodeScalars.contains(scalar) { throw fail("must not contain '\(scalar)'") }
        }
        for component in name.split(separator: "/") where component.hasPrefix(".") {
            throw fail("a component must not start with '.'")
        }
    }
}
