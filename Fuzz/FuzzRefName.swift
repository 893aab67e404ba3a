// libFuzzer target `refname`: RefName.validate (Sources/GutsStorage/RefName.swift), compiled
// into one module with Sources/GutsGit/*.swift and Sources/GutsStorage/StorageError.swift.
//
// Besides not crashing, every name that validate accepts must also pass git's
// `check-ref-format` rules (refs.c check_refname_component), checked here on the UTF-8
// bytes exactly as git checks them:
//   control   no byte < 0x20 or 0x7f
//   char      none of  space ~ ^ : ? * [ \
//   dotdot    no ".."
//   atbrace   no "@{"
//   empty     no empty component (leading "/", "//", trailing "/")
//   dotstart  no component starting with "."
//   lock      no component ending with ".lock"
//   dotend    the name does not end with "."
//   at        the name is not "@"
// A violation traps (fatalError) so libFuzzer reports it, with the rule in the message.
// The converse traps too: a UTF-8 name under refs/, at most RefName.maxLength bytes, that git
// accepts must be accepted (GUTS_FUZZ_REFNAME_COMPLETE=0 turns this off). validate(String),
// isValid(String) and isValid(bytes) must agree, and isValid(bytes) refuses non-UTF-8.
// GUTS_FUZZ_REFNAME_SKIP=lock,dotstart (comma separated) stops checking those rules, to keep
// fuzzing for other bugs once one is known.

#if canImport(Glibc)
import Glibc
#endif

private let skipped: Set<String> = {
    guard let raw = getenv("GUTS_FUZZ_REFNAME_SKIP") else { return [] }
    return Set(String(cString: raw).split(separator: ",").map(String.init))
}()
private let complete: Bool = {
    guard let raw = getenv("GUTS_FUZZ_REFNAME_COMPLETE") else { return true }
    return String(cString: raw) != "0"
}()

/// The first git rule `name` breaks, or nil if `git check-ref-format` accepts it.
func gitRefNameViolation(_ name: [UInt8]) -> String? {
    var violations: [String] = []
    if name == [UInt8(ascii: "@")] { violations.append("at") }
    if name.last == UInt8(ascii: ".") { violations.append("dotend") }
    for (index, byte) in name.enumerated() {
        if byte < 0x20 || byte == 0x7f { violations.append("control") }
        if Array(" ~^:?*[\\".utf8).contains(byte) { violations.append("char") }
        if index > 0 {
            let pair = (name[index - 1], byte)
            if pair == (UInt8(ascii: "."), UInt8(ascii: ".")) { violations.append("dotdot") }
            if pair == (UInt8(ascii: "@"), UInt8(ascii: "{")) { violations.append("atbrace") }
        }
    }
    for component in name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
        if component.isEmpty { violations.append("empty") }
        if component.first == UInt8(ascii: ".") { violations.append("dotstart") }
        if component.count >= 5 && component.suffix(5).elementsEqual(".lock".utf8) { violations.append("lock") }
    }
    return violations.first { !skipped.contains($0) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    // The raw-bytes entry point ReceivePack uses for names as a client sent them.
    let bytesAccepted = RefName.isValid(bytes)
    guard let name = String(validating: bytes, as: UTF8.self) else {
        if bytesAccepted { fatalError("RefName.isValid accepted non-UTF-8 bytes \(bytes)") }
        // The String entry points only ever see valid UTF-8 (decoding repairs it): no crash is enough.
        _ = try? RefName.validate(String(decoding: bytes, as: UTF8.self))
        return 0
    }
    let accepted: Bool
    do {
        try RefName.validate(name)
        accepted = true
    } catch let error as StorageError {
        guard case .invalidRefName = error else { fatalError("unexpected error \(error)") }
        _ = error.description
        accepted = false
    } catch {
        fatalError("unexpected error type \(error)")
    }
    if accepted != bytesAccepted || accepted != RefName.isValid(name) {
        fatalError("validate, isValid(String) and isValid(bytes) disagree on \(name.debugDescription)")
    }
    let violation = gitRefNameViolation(bytes)
    if accepted, let violation {
        fatalError("RefName.validate accepted \(bytes) (\(name.debugDescription)), which git refuses: rule '\(violation)'")
    }
    // The other direction: under refs/ and within the length cap, git's rules are the only ones.
    if complete && !accepted && violation == nil && bytes.starts(with: "refs/".utf8) && bytes.count <= RefName.maxLength {
        fatalError("RefName.validate refused \(name.debugDescription), which git accepts")
    }
    return 0
}
