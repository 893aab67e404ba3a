// libFuzzer target `objects`: the tree, commit and tag parsers and TreeValidator on
// arbitrary bytes. Compiled into one module with Sources/GutsGit/*.swift.
//
// Properties checked (a violation traps): whatever parses re-serializes to bytes that
// parse again and serialize to the same bytes (serialize . parse is idempotent); a tree
// that TreeValidator accepts in strict mode still validates after the round trip and has canonical modes;
// every tree re-serializes to exactly its input (zero-padded modes included).
// With GUTS_FUZZ_OBJECTS_EXACT=1, commits and tags must also re-serialize byte for byte
// (the model documents this for headers it keeps verbatim; off by default because
// the parser also accepts e.g. upper-case hex ids, which re-serialize in lower case).

#if canImport(Glibc)
import Glibc
#endif

private let exact = getenv("GUTS_FUZZ_OBJECTS_EXACT") != nil

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let body = [UInt8](UnsafeRawBufferPointer(start: start, count: count))

    if let tree = try? Tree(parsing: body) {
        let bytes = tree.serialized()
        // Trees keep every byte, zero-padded modes included: their ids depend on it.
        if bytes != body { fatalError("a tree does not re-serialize byte for byte") }
        guard let again = try? Tree(parsing: bytes) else { fatalError("a serialized tree does not parse") }
        if again != tree { fatalError("tree round trip changed the entries") }
        if again.serialized() != bytes { fatalError("tree serialization is not stable") }
        if (try? TreeValidator.validate(tree, strict: true)) != nil {
            if (try? TreeValidator.validate(again, strict: true)) == nil { fatalError("a valid tree stops validating after a round trip") }
            for entry in tree.entries where !FileMode.canonical.contains(entry.mode) {
                fatalError("validator accepted mode \(entry.mode)")
            }
            // A valid tree's names are non-empty and have no '/' or NUL.
            for entry in tree.entries where entry.name.isEmpty || entry.name.contains(0) || entry.name.contains(UInt8(ascii: "/")) {
                fatalError("validator accepted name \(entry.name)")
            }
            // Sorted and unique: check against a plain sort.
            let sorted = tree.entries.sorted(by: Tree.gitOrder)
            if sorted != tree.entries { fatalError("validator accepted an unsorted tree") }
        }
        // Without strict mode only fsck's warnings pass: the tree is still sorted and unique.
        if (try? TreeValidator.validate(tree)) != nil {
            if Set(tree.entries.map(\.name)).count != tree.entries.count { fatalError("validator accepted duplicate names") }
            for (left, right) in zip(tree.entries, tree.entries.dropFirst()) where Tree.compareGitOrder(left, right) >= 0 {
                fatalError("validator accepted an unsorted tree")
            }
        }
    }

    if let commit = try? Commit(parsing: body) {
        let bytes = commit.serialized()
        guard let again = try? Commit(parsing: bytes) else { fatalError("a serialized commit does not parse") }
        if again.serialized() != bytes { fatalError("commit serialization is not stable") }
        if again.tree != commit.tree || again.parents != commit.parents || again.message != commit.message
            || again.extraHeaders != commit.extraHeaders {
            fatalError("commit round trip changed a field")
        }
        if exact && bytes != body { fatalError("commit does not re-serialize byte for byte") }
        _ = commit.messageText
        _ = commit.author.description
    }

    if let tag = try? Tag(parsing: body) {
        let bytes = tag.serialized()
        guard let again = try? Tag(parsing: bytes) else { fatalError("a serialized tag does not parse") }
        if again.serialized() != bytes { fatalError("tag serialization is not stable") }
        if again.object != tag.object || again.objectType != tag.objectType || again.name != tag.name
            || again.message != tag.message || again.extraHeaders != tag.extraHeaders {
            fatalError("tag round trip changed a field")
        }
        if exact && bytes != body { fatalError("tag does not re-serialize byte for byte") }
        _ = tag.messageText
    }

    _ = Signature(parsing: body)?.serialized()
    return 0
}

/// Whether some entry's mode has a leading zero.
