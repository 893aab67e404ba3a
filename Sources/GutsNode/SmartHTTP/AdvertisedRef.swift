import GutsGit

/// A ref as the server advertises it: name, id, and for annotated tags the peeled id.
struct AdvertisedRef: Sendable, Equatable {
    var name: String
    var id: ObjectID
    var peeled: ObjectID?
    var symrefTarget: String?

    /// HEAD (when its target exists) followed by every ref under `refs/`, tags peeled; and
    /// HEAD's symbolic target even when that branch does not exist yet (unborn).
    static func collect(from repository: RepositoryHandle) throws -> (head: String?, refs: [AdvertisedRef]) {
        let head = try repository.refs.head()
        let refs = try repository.refs.list(prefix: "refs/")
        var result = [AdvertisedRef]()
        if let head, let target = refs.first(where: { $0.name == head }) {
            result.append(AdvertisedRef(name: "HEAD", id: target.id, symrefTarget: head))
        }
        for ref in refs {
            let peeled = try repository.peel(ref.id)
            result.append(AdvertisedRef(name: ref.name, id: ref.id, peeled: peeled == ref.id ? nil : peeled))
        }
        return (head, result)
    }
}

/// Encodes ref advertisements (protocol v0 `info/refs` and v2 `ls-refs`).
enum RefAdvertisement {
    /// The v0 advertisement: service header, then refs with capabilities after a NUL on the first line.
    static func version0(service: GitService, refs: [AdvertisedRef], capabilities: [String], smartHTTPHeader: Bool = true) throws -> [UInt8] {
        var out = [UInt8]()
        if smartHTTPHeader {
            out += try PktLine.encode(line: "# service=\(service.rawValue)")
            out += PktLine.flush
        }
        let capabilityText = capabilities.joined(separator: " ")
        if refs.isEmpty {
            out += try PktLine.encode(Array("\(ObjectID.zero.hex) capabilities^{}\u{0}\(capabilityText)\n".utf8))
        }
        for (index, ref) in refs.enumerated() {
            let suffix = index == 0 ? "\u{0}\(capabilityText)" : ""
            out += try PktLine.encode(Array("\(ref.id.hex) \(ref.name)\(suffix)\n".utf8))
            if let peeled = ref.peeled {
                out += try PktLine.encode(line: "\(peeled.hex) \(ref.name)^{}")
            }
        }
        out += PktLine.flush
        return out
    }

    /// At most this many `ref-prefix` arguments narrow an `ls-refs`; past it they are
    /// ignored and every ref is listed, as git's upload-pack does.
    static let maxRefPrefixes = 1024

    /// The v2 `ls-refs` reply for the given arguments (`symrefs`, `peel`, `ref-prefix`, `unborn`).
    ///
    /// A ref matches when one of its leading byte runs is a prefix, so matching costs
    /// the name's length in set lookups, not refs times prefixes.
    static func lsRefs(refs: [AdvertisedRef], unbornHead: String?, arguments: [String]) throws -> [UInt8] {
        var prefixes = Set<[UInt8]>()
        var prefixCount = 0
        for argument in arguments where argument.hasPrefix("ref-prefix ") {
            prefixCount += 1
            prefixes.insert(Array(argument.utf8.dropFirst("ref-prefix ".utf8.count)))
        }
        if prefixCount > maxRefPrefixes { prefixes.removeAll() }
        let symrefs = arguments.contains("symrefs")
        let peel = arguments.contains("peel")
        func wanted(_ name: String) -> Bool {
            guard !prefixes.isEmpty else { return true }
            let bytes = Array(name.utf8)
            return (0...bytes.count).contains { prefixes.contains(Array(bytes[..<$0])) }
        }
        var out = [UInt8]()
        if let unbornHead, arguments.contains("unborn"), wanted("HEAD") {
            out += try PktLine.encode(line: "unborn HEAD" + (symrefs ? " symref-target:\(unbornHead)" : ""))
        }
        for ref in refs where wanted(ref.name) {
            var line = "\(ref.id.hex) \(ref.name)"
            if symrefs, let target = ref.symrefTarget { line += " symref-target:\(target)" }
            if peel, let peeled = ref.peeled { line += " peeled:\(peeled.hex)" }
            out += try PktLine.encode(line: line)
        }
        out += PktLine.flush
        return out
    }
}
